package githubsim

import (
	"context"
	"net/http"
	"testing"
)

// TestRatedCalls: a 304 is a call but does not use the rate limit; a 200
// and a write do; ResetCalls zeroes both counters.
func TestRatedCalls(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	_, resp, err := e.gh.Repositories.Get(ctx, "acme", "payments")
	must(t, err)
	e.sim.ResetCalls()
	const route = "GET /repos/{owner}/{repo}"
	get := func(etag string) int {
		t.Helper()
		req, err := e.gh.NewRequest(http.MethodGet, "repos/acme/payments", nil)
		must(t, err)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		r, err := e.gh.Client().Do(req)
		must(t, err)
		r.Body.Close()
		return r.StatusCode
	}
	if got := get(resp.Header.Get("ETag")); got != http.StatusNotModified {
		t.Fatalf("conditional GET = %d, want 304", got)
	}
	if got := get(""); got != http.StatusOK {
		t.Fatalf("GET = %d, want 200", got)
	}
	if calls, rated := e.sim.Calls()[route], e.sim.RatedCalls()[route]; calls != 2 || rated != 1 {
		t.Errorf("%s: %d calls, %d rated; want 2, 1", route, calls, rated)
	}
	e.sim.ResetCalls()
	if n := len(e.sim.RatedCalls()); n != 0 {
		t.Errorf("after ResetCalls: %d routes rated, want 0", n)
	}
}
