package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/zgate-dev/zgate/buildinfo"
)

func TestHealthzShowsBuild(t *testing.T) {
	build := buildinfo.Info{Version: "v1.2.3", Revision: "0123abc", Time: "2026-11-30T10:00:00Z", Modified: true, GoVersion: "go1.26.8"}
	s, _ := newTestServerWith(t, func(c *Config) { c.Build = build })
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /healthz = %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	want := map[string]any{"status": "ok", "version": "v1.2.3", "revision": "0123abc", "time": "2026-11-30T10:00:00Z", "modified": true, "go_version": "go1.26.8"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("/healthz %s = %v, want %v", k, got[k], v)
		}
	}
}
