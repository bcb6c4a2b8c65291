package githubsim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// scaleEnv is env with n open pull requests, each with one completed
// check run on its head, the state a busy App leaves: what a check-run
// answer must not scan.
func scaleEnv(b *testing.B, n int) (*env, []string) {
	b.Helper()
	e := newEnv(b, Options{RateLimit: -1})
	e.sim.SetWebhookURL("")
	ctx := context.Background()
	heads := make([]string, n)
	for i := range n {
		br := "s" + strconv.Itoa(i)
		sha, err := e.sim.Push("acme", "payments", br, map[string]string{"deploy/prod/" + br + ".yaml": "x\n"}, nil, "alice")
		must(b, err)
		_, err = e.sim.OpenPR("acme", "payments", PROptions{Head: br, Author: "alice"})
		must(b, err)
		_, _, err = e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{
			Name: "zgate/production", HeadSHA: sha, Status: github.String("completed"), Conclusion: github.String("neutral")})
		must(b, err)
		heads[i] = sha
	}
	return e, heads
}

// BenchmarkCheckRunScale creates, updates and lists check runs over
// loopback with 1,000 open pull requests (each with a check run): the
// answers an App's evaluations end with. ns/op is the whole exchange
// through go-github; sim-ns/op the simulator's own part of it (its handler,
// most of it under the state lock), which must not grow with the number
// of open pull requests, or the simulator caps a load test.
func BenchmarkCheckRunScale(b *testing.B) {
	e, heads := scaleEnv(b, 1000)
	ctx := context.Background()
	var simNanos atomic.Int64
	timed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		e.sim.Handler().ServeHTTP(w, r)
		simNanos.Add(int64(time.Since(start)))
	}))
	b.Cleanup(timed.Close)
	e.srv = timed
	e.gh = e.client(b, e.sim.InstallationID("acme"))
	report := func(b *testing.B) {
		b.ReportMetric(float64(simNanos.Swap(0))/float64(b.N), "sim-ns/op")
	}
	// Warm the installation token.
	_, _, err := e.gh.Checks.ListCheckRunsForRef(ctx, "acme", "payments", heads[0], nil)
	must(b, err)
	b.Run("create", func(b *testing.B) {
		simNanos.Store(0)
		i := 0
		for b.Loop() {
			_, _, err := e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{
				Name: "zgate/staging", HeadSHA: heads[i%len(heads)], Status: github.String("in_progress")})
			must(b, err)
			i++
		}
		report(b)
	})
	simNanos.Store(0)
	run, _, err := e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{
		Name: "zgate/other", HeadSHA: heads[len(heads)/2], Status: github.String("in_progress")})
	must(b, err)
	b.Run("update", func(b *testing.B) {
		simNanos.Store(0)
		i := 0
		for b.Loop() {
			title := "n " + strconv.Itoa(i)
			_, _, err := e.gh.Checks.UpdateCheckRun(ctx, "acme", "payments", run.GetID(), github.UpdateCheckRunOptions{
				Name: "zgate/other", Output: &github.CheckRunOutput{Title: &title, Summary: &title}})
			must(b, err)
			i++
		}
		report(b)
	})
	b.Run("list", func(b *testing.B) {
		simNanos.Store(0)
		for b.Loop() {
			_, _, err := e.gh.Checks.ListCheckRunsForRef(ctx, "acme", "payments", heads[7], nil)
			must(b, err)
		}
		report(b)
	})
}

// BenchmarkListOpenPulls pages through 1,000 open pull requests (10 pages
// of 100), the start of an App's sweep: each page must cost its 100 pull
// requests, not all of them.
func BenchmarkListOpenPulls(b *testing.B) {
	e, _ := scaleEnv(b, 1000)
	ctx := context.Background()
	for b.Loop() {
		opts := &github.PullRequestListOptions{ListOptions: github.ListOptions{PerPage: 100}}
		for {
			_, resp, err := e.gh.PullRequests.List(ctx, "acme", "payments", opts)
			must(b, err)
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
	}
}
