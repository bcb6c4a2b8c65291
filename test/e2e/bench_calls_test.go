package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// BenchmarkAPICallsPerEvaluation reports GitHub calls per evaluation, and
// how many of them count against the rate limit (a 304 does not), in the
// scenarios issue 8 sets targets for:
//   - cold: a new pull request, first sight (target <= 5 calls), from
//     the opened delivery's pull request (facts.Hints);
//   - review: a review submitted on it, which changes its check run
//     (target <= 3 calls, <= 1 against the rate limit), from the
//     delivery's pull request and review;
//   - rerequest: a re-run asked for on its unchanged check run;
//   - sweep: the periodic sweep over unchanged pull requests (target <= 1
//     against the rate limit per pull request, 0 when nothing changed).
//
// With -v it logs the calls of the last iteration by route.
func BenchmarkAPICallsPerEvaluation(b *testing.B) {
	b.Run("events", benchmarkEventCalls)
	b.Run("sweep", func(b *testing.B) { benchmarkSweepCalls(b, false) })
	// A push to another branch between sweeps changes the repository
	// object that pull request answers embed (pushed_at).
	b.Run("sweep-after-push", func(b *testing.B) { benchmarkSweepCalls(b, true) })
}

// callSnap is a point in the App's calls: total, 304s, writes and by
// route.
type callSnap struct {
	calls, notMod, writes int64
	routes                map[string]int
}

func snapCalls(cc *callCounter, w *world) callSnap {
	return callSnap{calls: cc.calls.Load(), notMod: cc.notMod.Load(), writes: cc.writes.Load(), routes: w.sim.Calls()}
}

// since returns the calls and those against the rate limit made after s.
func (s callSnap) since(from callSnap) (calls, rated int64) {
	return s.calls - from.calls, (s.calls - from.calls) - (s.notMod - from.notMod)
}

// writesSince returns the calls other than GET made after from (each
// counts against the rate limit).
func (s callSnap) writesSince(from callSnap) int64 { return s.writes - from.writes }

// routesSince lists the simulator's calls by route made after from.
func (s callSnap) routesSince(from callSnap) string {
	var out []string
	for r, n := range s.routes {
		if d := n - from.routes[r]; d > 0 {
			out = append(out, fmt.Sprintf("%d %s", d, r))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

func benchmarkEventCalls(b *testing.B) {
	w := newWorld(b)
	cc, reg := startInProcess(b, w)
	// Warm the installation token and the policy cache with one PR.
	_, head0 := w.openPR("warmup", nil)
	w.waitCheck(head0, "a check run", func(githubsim.CheckRun) bool { return true })
	// Its evaluation ends after its checks are written: wait for it, or
	// it is counted as the first cold evaluation's.
	waitEvaluations(b, reg, 1)
	time.Sleep(200 * time.Millisecond)

	var cold, review, rerun [2]int64
	var reviewWrites int64
	var coldRoutes, reviewRoutes, rerunRoutes string
	add := func(acc *[2]int64, calls, rated int64) { acc[0] += calls; acc[1] += rated }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		head, err := w.sim.Push(owner, repoName, fmt.Sprintf("b%d", i), map[string]string{"deploy/prod/payments.yml": fmt.Sprintf("replicas: %d\n", i)}, nil, "alice")
		must(b, err)
		before := evaluations(b, reg)
		s0 := snapCalls(cc, w)
		n, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: fmt.Sprintf("b%d", i), Base: "main", Title: "bench", Author: "alice"})
		must(b, err)
		waitEvaluations(b, reg, before+1)
		s1 := snapCalls(cc, w)
		c, r := s1.since(s0)
		add(&cold, c, r)
		coldRoutes = s1.routesSince(s0)

		// A pull request is reviewed seconds after it opened at the
		// earliest: past the list memo's margin (facts.ListMemo) a re-run
		// reads the timeline and commits once more and keeps them.
		b.StopTimer()
		time.Sleep(3 * time.Second)
		rerunCheck := func(want uint64) {
			var id int64
			for _, c := range w.sim.CheckRuns(owner, repoName, head) {
				id = c.ID
			}
			must(b, w.sim.RerequestCheckRun(owner, repoName, id, "carol"))
			waitEvaluations(b, reg, want)
		}
		rerunCheck(before + 2)
		before++
		b.StartTimer()
		s1 = snapCalls(cc, w)

		// A review changes the check run (one approval of two).
		_, err = w.sim.SubmitReview(owner, repoName, n, "carol", "APPROVE", "ok")
		must(b, err)
		waitEvaluations(b, reg, before+2)
		s2 := snapCalls(cc, w)
		c, r = s2.since(s1)
		add(&review, c, r)
		reviewWrites += s2.writesSince(s1)
		reviewRoutes = s2.routesSince(s1)

		rerunCheck(before + 3)
		s3 := snapCalls(cc, w)
		c, r = s3.since(s2)
		add(&rerun, c, r)
		rerunRoutes = s3.routesSince(s2)
	}
	b.StopTimer()
	report := func(acc [2]int64, what string) {
		b.ReportMetric(float64(acc[0])/float64(b.N), "calls/"+what)
		b.ReportMetric(float64(acc[1])/float64(b.N), "rate-limited/"+what)
	}
	report(cold, "cold-eval")
	report(review, "review-eval")
	report(rerun, "warm-eval")
	// Writes (the check runs) count against the rate limit by nature: one
	// per check run whose content changed.
	b.ReportMetric(float64(review[1]-reviewWrites)/float64(b.N), "rate-limited-reads/review-eval")
	b.Logf("cold: %s", coldRoutes)
	b.Logf("review: %s", reviewRoutes)
	b.Logf("rerequest: %s", rerunRoutes)
}

// sweepPRs is how many unchanged pull requests one sweep covers.
const sweepPRs = 50

// benchmarkSweepCalls measures the sweep over sweepPRs unchanged pull
// requests, one sweep per iteration: calls and calls against the rate
// limit per pull request swept. With push, a commit is pushed to an
// unrelated branch before each sweep.
func benchmarkSweepCalls(b *testing.B, push bool) {
	w := newWorld(b)
	const interval = 2 * time.Second
	cc, reg := startInProcess(b, w, func(o *app.Options) { o.SweepInterval = interval })
	for i := 0; i < sweepPRs; i++ {
		w.openPR(fmt.Sprintf("s%d", i), nil)
	}
	// Let the openings and a first sweep (which reads what the openings
	// read, with ETags) settle.
	waitEvaluations(b, reg, sweepPRs)
	quiet(b, reg)
	waitEvaluations(b, reg, evaluations(b, reg)+1+sweepPRs)
	quiet(b, reg)

	var calls, rated, swept int64
	var routes string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if push {
			_, err := w.sim.Push(owner, repoName, "unrelated", map[string]string{"README.md": fmt.Sprintf("%d\n", i)}, nil, "alice")
			must(b, err)
		}
		s0, e0 := snapCalls(cc, w), evaluations(b, reg)
		// A sweep evaluates the repository, then each open pull request.
		waitEvaluations(b, reg, e0+1+sweepPRs)
		quiet(b, reg)
		s1, e1 := snapCalls(cc, w), evaluations(b, reg)
		c, r := s1.since(s0)
		calls += c
		rated += r
		// A busy machine may fit more than one sweep in the window.
		sweeps := int64(e1-e0) / (1 + sweepPRs)
		swept += int64(e1-e0) - sweeps
		routes = s1.routesSince(s0)
	}
	b.StopTimer()
	b.ReportMetric(float64(calls)/float64(swept), "calls/swept-PR")
	b.ReportMetric(float64(rated)/float64(swept), "rate-limited/swept-PR")
	b.Logf("sweep of %d unchanged pull requests (push before: %v): %s", sweepPRs, push, routes)
}

// quiet waits until no evaluation has finished for a while.
func quiet(b *testing.B, reg *prometheus.Registry) {
	b.Helper()
	last, since := evaluations(b, reg), time.Now()
	deadline := time.Now().Add(waitFor)
	for time.Since(since) < 200*time.Millisecond {
		if time.Now().After(deadline) {
			b.Fatal("evaluations never quiet down")
		}
		time.Sleep(10 * time.Millisecond)
		if n := evaluations(b, reg); n != last {
			last, since = n, time.Now()
		}
	}
}
