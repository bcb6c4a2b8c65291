package githubsim

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// TestManifestFlow registers an App from a manifest, exchanges the code
// once within its hour, and authenticates as the new App with the PEM.
func TestManifestFlow(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := New(Options{Now: clock})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	got := make(chan url.Values, 4)
	back := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.URL.Query() }))
	defer back.Close()

	register := func(t *testing.T) (code string) {
		t.Helper()
		manifest := `{"name":"zgate acme","url":"https://zgate.example","hook_attributes":{"url":"https://zgate.example/webhook"},
			"redirect_url":"` + back.URL + `/cb","callback_urls":["https://zgate.example/auth/callback"],"public":false,
			"default_permissions":{"checks":"write","members":"read"},"default_events":["pull_request","check_run"]}`
		resp, err := http.PostForm(srv.URL+"/organizations/acme/settings/apps/new?state=s3", url.Values{"manifest": {manifest}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		q := <-got
		if q.Get("state") != "s3" || q.Get("code") == "" {
			t.Fatalf("redirect query = %v, want a code and state s3", q)
		}
		return q.Get("code")
	}
	convert := func(code string) (*http.Response, map[string]any) {
		resp, err := http.Post(srv.URL+"/api/v3/app-manifests/"+code+"/conversions", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &body)
		return resp, body
	}

	code := register(t)
	resp, body := convert(code)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("conversion = %d %v, want 201", resp.StatusCode, body)
	}
	for _, f := range []string{"id", "slug", "node_id", "owner", "name", "html_url", "permissions", "events", "client_id", "client_secret", "webhook_secret", "pem"} {
		if _, ok := body[f]; !ok {
			t.Errorf("conversion lacks %q: %v", f, body)
		}
	}
	if body["slug"] != "zgate-acme" || body["permissions"].(map[string]any)["metadata"] != "read" {
		t.Errorf("slug %v, permissions %v; want zgate-acme and metadata read added", body["slug"], body["permissions"])
	}
	if m := s.LastManifest(); m == nil || m.Owner != "acme" || len(m.CallbackURLs) != 1 {
		t.Errorf("LastManifest() = %+v, want acme's with its callback URL", m)
	}
	if resp, _ := convert(code); resp.StatusCode != http.StatusNotFound {
		t.Errorf("second conversion = %d, want 404: codes are single-use", resp.StatusCode)
	}

	// The PEM authenticates as the App.
	block, _ := pem.Decode([]byte(body["pem"].(string)))
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("pem: %v", err)
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": body["id"], "iat": now.Add(-time.Minute).Unix(), "exp": now.Add(5 * time.Minute).Unix()}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v3/app", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	appResp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	appResp.Body.Close()
	if appResp.StatusCode != http.StatusOK {
		t.Errorf("GET /app with the new App's JWT = %d, want 200", appResp.StatusCode)
	}

	// A code not exchanged within the hour is gone.
	code = register(t)
	mu.Lock()
	now = now.Add(manifestCodeTTL)
	mu.Unlock()
	if resp, _ := convert(code); resp.StatusCode != http.StatusNotFound {
		t.Errorf("conversion after an hour = %d, want 404", resp.StatusCode)
	}
}

func TestParseManifest(t *testing.T) {
	for _, tc := range []struct {
		name, raw, problem string
	}{
		{"ok", `{"url":"u","redirect_url":"r","hook_attributes":{"url":"h"}}`, ""},
		{"inactive hook needs no url", `{"url":"u","redirect_url":"r","hook_attributes":{"active":false}}`, ""},
		{"empty", ``, "no manifest"},
		{"not JSON", `{`, "not valid JSON"},
		{"no url", `{"redirect_url":"r","hook_attributes":{"url":"h"}}`, "url is required"},
		{"no redirect", `{"url":"u","hook_attributes":{"url":"h"}}`, "redirect_url is required"},
		{"no hook url", `{"url":"u","redirect_url":"r"}`, "hook_attributes.url"},
		{"bad permission", `{"url":"u","redirect_url":"r","hook_attributes":{"url":"h"},"default_permissions":{"checks":"all"}}`, "default_permissions.checks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, problem := parseManifest(tc.raw)
			if (tc.problem == "") != (problem == "") || !strings.Contains(problem, tc.problem) {
				t.Errorf("parseManifest(%s) problem = %q, want %q", tc.raw, problem, tc.problem)
			}
		})
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add(`{"url":"u","redirect_url":"r","hook_attributes":{"url":"h"},"default_events":["push"]}`)
	f.Add(`{"default_permissions":{"a":"read"}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		m, problem := parseManifest(raw)
		if problem == "" && (m.URL == "" || m.RedirectURL == "") {
			t.Fatalf("parseManifest(%q) accepted a manifest without url or redirect_url", raw)
		}
	})
}
