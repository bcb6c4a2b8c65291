package githubsim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/internal/proccpu"
)

// BenchmarkReviewEvent is what one review event of the load benchmark
// costs the simulator, with 1,000 open pull requests: the review and its
// pull_request_review delivery (to a receiver that only reads the body),
// then the App's answer as zgate makes it (docs/performance.md): the base
// ref, the pull request and its files answered 304, the reviews, and the
// PATCH of the check run. Requests go straight to the handler, so the
// numbers are the simulator's own (its HTTP client included), not a
// client's.
func BenchmarkReviewEvent(b *testing.B) {
	const prs = 1000
	e, _ := scaleEnv(b, prs)
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	b.Cleanup(hooks.Close)
	e.sim.SetWebhookURL(hooks.URL + "/webhook")
	e.sim.mu.Lock()
	e.sim.tokens["ghs_bench"] = &token{inst: e.sim.instByOwner["acme"], expires: time.Now().Add(24 * time.Hour)}
	e.sim.mu.Unlock()
	call := func(method, path, etag, body string) (int, string) {
		req := httptest.NewRequest(method, "http://ghe.test/api/v3/repos/acme/payments/"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "token ghs_bench")
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		w := httptest.NewRecorder()
		e.sim.Handler().ServeHTTP(w, req)
		if w.Code >= 400 {
			b.Fatalf("%s %s = %d: %s", method, path, w.Code, w.Body)
		}
		return w.Code, w.Header().Get("ETag")
	}
	// Each pull request's check run (created by scaleEnv, one per pull
	// request in order) and the ETags the App keeps.
	runs := make([]int64, prs)
	tags := make([][2]string, prs)
	for i := range prs {
		n := strconv.Itoa(i + 1)
		_, tags[i][0] = call(http.MethodGet, "pulls/"+n, "", "")
		_, tags[i][1] = call(http.MethodGet, "pulls/"+n+"/files", "", "")
	}
	ctx := context.Background()
	for i := range prs {
		pr, _, err := e.gh.PullRequests.Get(ctx, "acme", "payments", i+1)
		must(b, err)
		cr, _, err := e.gh.Checks.ListCheckRunsForRef(ctx, "acme", "payments", pr.GetHead().GetSHA(), &github.ListCheckRunsOptions{})
		must(b, err)
		runs[i] = cr.CheckRuns[0].GetID()
	}
	cpu0 := proccpu.Of(b)
	i := 0
	for b.Loop() {
		k := i % prs
		n := strconv.Itoa(k + 1)
		state := "APPROVE"
		if (i/prs)%2 == 1 {
			state = "REQUEST_CHANGES"
		}
		if _, err := e.sim.SubmitReview("acme", "payments", k+1, "carol", state, ""); err != nil {
			b.Fatal(err)
		}
		call(http.MethodGet, "git/ref/heads/main", "", "")
		if code, _ := call(http.MethodGet, "pulls/"+n, tags[k][0], ""); code != http.StatusNotModified {
			b.Fatalf("pull request answered %d, want 304", code)
		}
		call(http.MethodGet, "pulls/"+n+"/files", tags[k][1], "")
		call(http.MethodGet, "pulls/"+n+"/reviews?per_page=100", "", "")
		call(http.MethodPatch, "check-runs/"+strconv.FormatInt(runs[k], 10), "",
			`{"name":"zgate/production","status":"completed","conclusion":"failure","output":{"title":"1 of 2 approvals","summary":"review `+strconv.Itoa(i)+`"}}`)
		i++
	}
	e.sim.WaitDeliveries()
	b.ReportMetric(float64((proccpu.Of(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}
