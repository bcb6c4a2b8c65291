package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

func TestLocalPage(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/gates/acme/payments/7", "/gates/acme/payments/7"},
		{"", "/gates/"},
		{"https://evil.example/gates/x", "/gates/"},
		{"//evil.example/gates/x", "/gates/"},
		{"/gates//evil.example", "/gates/"},
		{"/gates/\\evil.example", "/gates/"},
		{"/gates/a|b", "/gates/"},
		{"/auth/login", "/gates/"},
	} {
		if got := localPage(tt.in); got != tt.want {
			t.Errorf("localPage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzLocalPage: whatever next a link carries, the sign-in returns to a
// path of this server's gate pages.
func FuzzLocalPage(f *testing.F) {
	for _, s := range []string{"/gates/a/b/1", "//x", "/gates/%2f%2fx", "https://x", "/gates/\\x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localPage(next)
		if !strings.HasPrefix(got, "/gates/") || strings.Contains(got, "//") || strings.ContainsAny(got, "\\\r\n|") {
			t.Errorf("localPage(%q) = %q leaves the gate pages", next, got)
		}
	})
}

func TestWantsJSON(t *testing.T) {
	for _, tt := range []struct {
		accept string
		want   bool
	}{
		{"application/json", true},
		{"text/html, application/json;q=0.9", true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"", false},
		{"application/jsonp", false},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept", tt.accept)
		if got := wantsJSON(r); got != tt.want {
			t.Errorf("wantsJSON(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}

func TestRoots(t *testing.T) {
	for _, tt := range []struct{ api, web string }{
		{"https://api.github.com/", "https://github.com"},
		{"", "https://github.com"},
		{"https://ghe.example.com/api/v3/", "https://ghe.example.com"},
		{"http://127.0.0.1:8080/api/v3/", "http://127.0.0.1:8080"},
		{"https://api.acme.ghe.com/", "https://acme.ghe.com"},
	} {
		_, web, err := roots(tt.api)
		if err != nil || web.String() != tt.web {
			t.Errorf("roots(%q) web = %v, %v; want %s", tt.api, web, err, tt.web)
		}
	}
	if _, _, err := roots("api.github.com"); err == nil {
		t.Error("roots accepted a URL without a scheme")
	}
}

// FuzzEvent: any audit record's data makes a timeline line, never a panic.
func FuzzEvent(f *testing.F) {
	for _, s := range []string{`{"state":"pending","summary":"x"}`, `{"by":["a",1],"reasons":null}`, `[]`, `null`, `{"kind":3}`, ``} {
		f.Add("decision", s)
		f.Add("override", s)
		f.Add("execution", s)
		f.Add("policy_error", s)
	}
	f.Fuzz(func(t *testing.T, kind, data string) {
		e := event(store.AuditRecord{Seq: 1, Time: time.Unix(0, 0), Kind: kind, Data: []byte(data)})
		if e.Kind != kind {
			t.Errorf("kind %q became %q", kind, e.Kind)
		}
	})
}

func TestSealedToken(t *testing.T) {
	id, err := newSessionID()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sealToken(id, "ghu_secret")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "ghu_secret") {
		t.Error("sealed token holds the token in clear")
	}
	if got, err := openToken(id, sealed); err != nil || got != "ghu_secret" {
		t.Errorf("openToken = %q, %v", got, err)
	}
	other, _ := newSessionID()
	if _, err := openToken(other, sealed); err == nil {
		t.Error("another session id opened the token")
	}
	if s := secret("ghu_x"); strings.Contains(s.String(), "ghu") {
		t.Error("secret prints in clear")
	}
}

func TestCountdown(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "expired"},
		{0, "expired"},
		{59 * time.Second, "in 0m 59s"},
		{90 * time.Minute, "in 1h 30m"},
		{49 * time.Hour, "in 2d 1h"},
	} {
		if got := countdown(tt.d); got != tt.want {
			t.Errorf("countdown(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
