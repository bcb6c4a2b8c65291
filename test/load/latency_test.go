package load

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// BenchmarkGitHubLatency measures how well zgate keeps its workers busy
// when each GitHub answer takes 50 ms, as over the internet: then an
// evaluation is mostly waiting for GitHub, and with W workers zgate
// cannot exceed W / E evaluations per second, E being an evaluation's
// mean wall time (zgate_evaluation_seconds): the concurrency bound. What
// zgate does between evaluations (intake, claim, settlement) keeps a
// worker from the next one and shows as a fraction below 1. The
// benchmark saturates zgate (review events sent several times faster
// than the bound to 100 pull requests, so that every worker always has
// one to take) and reports, over 8 s while the backlog stands, the
// evaluations per second sustained, the bound and their ratio; E / 50 ms
// is the rounds of calls an evaluation waits for (calls issued together
// count once). Run it with
//
//	ZGATE_LOAD=1 go test ./test/load -run XXX -bench GitHubLatency -benchtime 1x
func BenchmarkGitHubLatency(b *testing.B) {
	loadConfig(b) // skips unless ZGATE_LOAD is set
	const (
		latency = 50 * time.Millisecond
		workers = 4
		prs     = 100
		rate    = 100 // events/s, several times the bound
	)
	w := newWorld(b, prs)
	w.obs.latency = latency
	start := time.Now()
	p := w.serve(database(b, w, "sqlite"), time.Hour)
	coldStart(b, w, p, prs, start, usage{})
	// Send for 12 s; measure the 8 s after the first 2 (the backlog has
	// built, and is still there at the end: the workers never run dry).
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		tick := time.NewTicker(time.Second / rate)
		defer tick.Stop()
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			pr := k%prs + 1
			state := "APPROVE"
			if w.flip(pr) {
				state = "REQUEST_CHANGES"
			}
			go func() { _, _ = w.sim.SubmitReview(owner, repoName, pr, "carol", state, "") }()
		}
	}()
	time.Sleep(2 * time.Second)
	t0, n0, s0 := time.Now(), p.evaluations(b), p.metric(b, "zgate_evaluation_seconds_sum")
	time.Sleep(8 * time.Second)
	wall := time.Since(t0)
	n, s := p.evaluations(b)-n0, p.metric(b, "zgate_evaluation_seconds_sum")-s0
	close(stop)
	<-sent
	p.settle(b, func() bool { return true }, 500*time.Millisecond, time.Minute)
	if n == 0 {
		b.Fatal("no evaluation in the window")
	}
	meanEval := time.Duration(s / n * float64(time.Second))
	rounds := meanEval.Seconds() / latency.Seconds()
	bound := workers / meanEval.Seconds()
	got := n / wall.Seconds()
	b.ReportMetric(got, "evals/s")
	b.ReportMetric(bound, "bound-evals/s")
	b.ReportMetric(got/bound, "of-bound")
	b.ReportMetric(rounds, "rounds/eval")
	fmt.Fprintf(os.Stdout, "\n### GitHub answering in %v (sqlite, %d workers, %d pull requests, %d events/s offered)\n\n", latency, workers, prs, rate)
	fmt.Fprintf(os.Stdout, "| evaluations | wall s | evals/s | mean evaluation ms | rounds of calls | bound evals/s | of the bound |\n|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(os.Stdout, "| %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f |\n", n, wall.Seconds(), got, float64(meanEval.Microseconds())/1000, rounds, bound, got/bound)
}
