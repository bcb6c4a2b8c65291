package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDebugPprofOnItsOwnListener: --debug-pprof serves Go's profiles (the
// way to see where `zgate serve`'s memory goes) on its own address only:
// the webhook listener never serves them, and without the flag no
// profile is served at all.
func TestDebugPprofOnItsOwnListener(t *testing.T) {
	w := newWorld(t)
	w.serveArgs = []string{"--debug-pprof", "127.0.0.1:0"}
	p := w.serve()
	addr := pprofAddr(p)
	if addr == "" {
		t.Fatal("no log line gives the --debug-pprof address")
	}
	if code, body := pprofGet(t, "http://"+addr+"/debug/pprof/heap?debug=1"); code != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Errorf("GET the heap profile on %s = %d, %.80q; want 200 and a heap profile", addr, code, body)
	}
	for _, path := range []string{"/debug/pprof/heap?debug=1", "/debug/pprof/", "/debug/pprof/cmdline"} {
		if code, _ := pprofGet(t, p.url+path); code == http.StatusOK {
			t.Errorf("GET %s on the webhook listener = 200, want it not served there", path)
		}
	}
	p.stop()

	w.serveArgs = nil
	p = w.serve()
	if addr := pprofAddr(p); addr != "" {
		t.Errorf("profiles served on %s without --debug-pprof", addr)
	}
	if code, _ := pprofGet(t, p.url+"/debug/pprof/heap?debug=1"); code == http.StatusOK {
		t.Error("GET /debug/pprof/heap on the webhook listener = 200 without --debug-pprof")
	}
}

// pprofAddr is the address the process logged it serves profiles on.
func pprofAddr(p *proc) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, line := range p.logs {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && strings.HasPrefix(rec.Msg, "Go profiles served") {
			return rec.Addr
		}
	}
	return ""
}

func pprofGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
