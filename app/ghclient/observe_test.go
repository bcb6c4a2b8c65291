package ghclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"
)

func TestRateRemaining(t *testing.T) {
	tests := []struct {
		header string
		want   int
		ok     bool
	}{
		{"4999", 4999, true},
		{"0", 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"12abc", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tc := range tests {
		h := http.Header{}
		if tc.header != "" {
			h.Set("X-RateLimit-Remaining", tc.header)
		}
		got, ok := RateRemaining(h)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RateRemaining(%q) = %d, %v; want %d, %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzRateRemaining(f *testing.F) {
	for _, s := range []string{"5000", "0", "-3", "+7", " 12", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := http.Header{}
		h.Set("X-RateLimit-Remaining", s)
		n, ok := RateRemaining(h)
		if ok && (n < 0 || strconv.Itoa(n) != strconv.Itoa(mustAtoi(t, h.Get("X-RateLimit-Remaining")))) {
			t.Fatalf("RateRemaining(%q) = %d, true", s, n)
		}
	})
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("accepted %q, which is not an integer: %v", s, err)
	}
	return n
}

// TestTracingTransport: each call of a client gets a span, child of the
// caller's, with the route and status; a no-op provider adds no layer.
func TestTracingTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v3/repos/acme/payments/pulls/7" {
			w.Write([]byte(`{"number":7}`))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	exp := tracetest.NewInMemoryExporter()
	tp := trace.NewTracerProvider(trace.WithSyncer(exp))
	tr := withTracing(http.DefaultTransport, tp, "/api/v3/")
	ctx, parent := tp.Tracer("test").Start(context.Background(), "gather")
	for _, path := range []string{"/api/v3/repos/acme/payments/pulls/7", "/api/v3/repos/acme/payments/pulls/8/files"} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	parent.End()
	spans := exp.GetSpans()
	if len(spans) != 3 {
		t.Fatalf("got %d spans, want 2 calls and their parent", len(spans))
	}
	want := []struct{ name, status string }{
		{"GitHub GET /repos/{owner}/{repo}/pulls/{n}", "200"},
		{"GitHub GET /repos/{owner}/{repo}/pulls/{n}/files", "404"},
	}
	for i, w := range want {
		s := spans[i]
		if s.Name != w.name || s.Parent.SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %d = %q (parent %v), want %q under gather", i, s.Name, s.Parent.SpanID(), w.name)
		}
		for _, a := range s.Attributes {
			if a.Key == "http.response.status_code" && a.Value.String() != w.status {
				t.Errorf("span %q status %s, want %s", s.Name, a.Value.String(), w.status)
			}
		}
	}
	if withTracing(http.DefaultTransport, noop.NewTracerProvider(), "/") != http.DefaultTransport || withTracing(http.DefaultTransport, nil, "/") != http.DefaultTransport {
		t.Errorf("withTracing wrapped the transport for a no-op provider")
	}
}
