package ghclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// fakeGitHub is a tiny GitHub under /api/v3: it issues installation
// tokens, serves one repository with an ETag and lets tests script
// failures per path.
type fakeGitHub struct {
	mu       sync.Mutex
	failures map[string][]fakeReply // path -> replies served before the real one
	calls    []string
	etag     string
}

type fakeReply struct {
	status int
	header map[string]string
	body   string
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	var reply *fakeReply
	if q := f.failures[r.URL.Path]; len(q) > 0 {
		reply = &q[0]
		f.failures[r.URL.Path] = q[1:]
	}
	etag := f.etag
	f.mu.Unlock()
	if reply != nil {
		for k, v := range reply.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(reply.status)
		fmt.Fprint(w, reply.body)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v3/app/installations/9/access_tokens":
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, `{"message":"no jwt"}`, http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"token": "ghs_test", "expires_at": time.Now().Add(time.Hour)})
	case r.URL.Path == "/api/v3/repos/acme/payments":
		if r.Header.Get("Authorization") != "token ghs_test" && r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		json.NewEncoder(w).Encode(map[string]any{"name": "payments", "full_name": "acme/payments"})
	case r.URL.Path == "/api/v3/repos/acme/payments/pulls/1/merge":
		json.NewEncoder(w).Encode(map[string]any{"merged": true, "sha": "abc"})
	default:
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}
}

func (f *fakeGitHub) script(path string, replies ...fakeReply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures == nil {
		f.failures = make(map[string][]fakeReply)
	}
	f.failures[path] = append(f.failures[path], replies...)
}

func (f *fakeGitHub) callCount(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == call {
			n++
		}
	}
	return n
}

func noSleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

func newTestApps(t *testing.T, fake *fakeGitHub, counter *Counter) *Apps {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	apps, err := New(Config{
		BaseURL:    srv.URL + "/api/v3/",
		AppID:      42,
		PrivateKey: readTestdata(t, "app-pkcs8.pem"),
		Retry:      RetryPolicy{Sleep: noSleep},
		OnCall:     counter.Observe,
	})
	if err != nil {
		t.Fatal(err)
	}
	return apps
}

func TestInstallationETag(t *testing.T) {
	fake := &fakeGitHub{etag: `"v1"`}
	var counter Counter
	apps := newTestApps(t, fake, &counter)
	gh, err := apps.Installation(9)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := apps.Installation(9); again != gh {
		t.Error("Installation(9) twice returned different clients, want the cached one")
	}
	ctx := context.Background()
	for i := range 3 {
		repo, _, err := gh.Repositories.Get(ctx, "acme", "payments")
		if err != nil {
			t.Fatalf("get %d: %v", i, err)
		}
		if got, want := repo.GetFullName(), "acme/payments"; got != want {
			t.Errorf("get %d: full name = %q, want %q", i, got, want)
		}
	}
	calls, notModified := counter.Total()
	if calls != 4 || notModified != 2 {
		t.Errorf("calls, 304s = %d, %d; want 4 (token + 3 gets), 2", calls, notModified)
	}
	want := map[string]int{
		"POST /app/installations/{n}/access_tokens": 1,
		"GET /repos/{owner}/{repo}":                 3,
	}
	if diff := cmp.Diff(want, counter.Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	fake.mu.Lock()
	fake.etag = `"v2"`
	fake.mu.Unlock()
	if _, _, err := gh.Repositories.Get(ctx, "acme", "payments"); err != nil {
		t.Fatal(err)
	}
	if _, nm := counter.Total(); nm != 2 {
		t.Errorf("304s after change = %d, want still 2", nm)
	}
}

func TestTokenClient(t *testing.T) {
	fake := &fakeGitHub{etag: `"t"`}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	gh, err := NewTokenClient(srv.URL+"/api/v3", "tok", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Repositories.Get(context.Background(), "acme", "payments"); err != nil {
		t.Fatalf("get: %v", err)
	}
	if _, err := NewTokenClient(srv.URL, "", nil); err == nil {
		t.Error("NewTokenClient with empty token: error = nil, want an error")
	}
}

func TestRetry(t *testing.T) {
	const repoPath = "/api/v3/repos/acme/payments"
	const mergePath = "/api/v3/repos/acme/payments/pulls/1/merge"
	tests := []struct {
		name      string
		path      string
		replies   []fakeReply
		merge     bool
		wantErr   bool
		wantCalls int
	}{
		{
			name:      "5xx then success",
			path:      repoPath,
			replies:   []fakeReply{{status: 502}, {status: 500}},
			wantCalls: 3,
		},
		{
			name:      "gives up after max attempts",
			path:      repoPath,
			replies:   []fakeReply{{status: 503}, {status: 503}, {status: 503}, {status: 503}},
			wantErr:   true,
			wantCalls: 4,
		},
		{
			name: "secondary rate limit with retry-after",
			path: repoPath,
			replies: []fakeReply{{status: 403, header: map[string]string{"Retry-After": "1"},
				body: `{"message":"You have exceeded a secondary rate limit."}`}},
			wantCalls: 2,
		},
		{
			name:      "secondary rate limit by message",
			path:      repoPath,
			replies:   []fakeReply{{status: 403, body: `{"message":"You have exceeded a secondary rate limit. Please wait."}`}},
			wantCalls: 2,
		},
		{
			name:      "429",
			path:      repoPath,
			replies:   []fakeReply{{status: 429}},
			wantCalls: 2,
		},
		{
			name:      "plain 403 is not retried",
			path:      repoPath,
			replies:   []fakeReply{{status: 403, body: `{"message":"Resource not accessible by integration"}`}},
			wantErr:   true,
			wantCalls: 1,
		},
		{
			name:      "retry-after beyond max wait is not waited for",
			path:      repoPath,
			replies:   []fakeReply{{status: 429, header: map[string]string{"Retry-After": "3600"}}},
			wantErr:   true,
			wantCalls: 1,
		},
		{
			name:      "token exchange is retried",
			path:      "/api/v3/app/installations/9/access_tokens",
			replies:   []fakeReply{{status: 502}},
			wantCalls: 2,
		},
		{
			name:      "merge PUT is never retried",
			path:      mergePath,
			merge:     true,
			replies:   []fakeReply{{status: 502}},
			wantErr:   true,
			wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeGitHub{etag: `"e"`}
			fake.script(tt.path, tt.replies...)
			apps := newTestApps(t, fake, &Counter{})
			gh, err := apps.Installation(9)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tt.merge {
				_, _, err = gh.PullRequests.Merge(ctx, "acme", "payments", 1, "", &github.PullRequestOptions{SHA: "abc"})
			} else {
				_, _, err = gh.Repositories.Get(ctx, "acme", "payments")
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("error = %v, want error %v", err, tt.wantErr)
			}
			method := http.MethodGet
			switch {
			case tt.merge:
				method = http.MethodPut
			case strings.HasSuffix(tt.path, "access_tokens"):
				method = http.MethodPost
			}
			if got := fake.callCount(method + " " + tt.path); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestRetryHonoursContext(t *testing.T) {
	fake := &fakeGitHub{etag: `"e"`}
	fake.script("/api/v3/repos/acme/payments", fakeReply{status: 502}, fakeReply{status: 502})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	gh, err := NewTokenClientConfig(Config{BaseURL: srv.URL + "/api/v3/", Retry: RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour}}, "tok")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, _, err := gh.Repositories.Get(ctx, "acme", "payments"); err == nil {
		t.Error("error = nil, want the context's")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v, want the context deadline to cut the backoff", d)
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "0", "-5", "3600", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		resp := &http.Response{Header: http.Header{"Retry-After": {v}}}
		d, ok := retryAfter(resp, now)
		if !ok && d != 0 {
			t.Fatalf("retryAfter(%q) = %v, false; want 0 when not parsed", v, d)
		}
		tr := &retryTransport{policy: RetryPolicy{}.withDefaults(), now: func() time.Time { return now }}
		if w, retry := tr.capWait(d); retry && (w < 0 || w > tr.policy.MaxWait) {
			t.Fatalf("capWait(%v) = %v, want within [0, MaxWait]", d, w)
		}
	})
}

// TestTransportKeepsIdleConnections: the default network transport keeps
// an idle connection per concurrent request, so that a second burst of
// requests reuses them instead of opening new ones (against github.com a
// TLS handshake each). http.DefaultTransport keeps 2 per host.
func TestTransportKeepsIdleConnections(t *testing.T) {
	var opened atomic.Int64
	release := make(chan struct{})
	var inflight sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inflight.Done()
		<-release
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	const burst = 8
	tr := newTransport(burst)
	client := &http.Client{Transport: tr}
	round := func() {
		t.Helper()
		inflight.Add(burst)
		var done sync.WaitGroup
		for range burst {
			done.Go(func() {
				resp, err := client.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		inflight.Wait() // all burst requests are in flight at once
		release <- struct{}{}
		for range burst - 1 {
			release <- struct{}{}
		}
		done.Wait()
	}
	round()
	first := opened.Load()
	round()
	if again := opened.Load() - first; again != 0 {
		t.Errorf("second burst of %d opened %d new connections, want 0 (idle ones reused)", burst, again)
	}
	if got := newTransport(0).MaxIdleConnsPerHost; got != DefaultIdleConnsPerHost {
		t.Errorf("default idle connections per host = %d, want %d", got, DefaultIdleConnsPerHost)
	}
}
