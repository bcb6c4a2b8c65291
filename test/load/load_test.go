package load

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store/storetest"
)

// config sizes a run; ZGATE_LOAD_* variables override the defaults.
type config struct {
	prs   int
	rates []int
	dur   time.Duration
	// sweep is the sweep interval of BenchmarkSweep: the cold start must
	// finish within it.
	sweep time.Duration
}

func loadConfig(t testing.TB) config {
	t.Helper()
	if os.Getenv("ZGATE_LOAD") == "" {
		t.Skip("set ZGATE_LOAD=1 to run the load benchmarks (minutes)")
	}
	c := config{prs: 1000, rates: []int{50, 200, 500}, dur: 10 * time.Second, sweep: 90 * time.Second}
	if v := os.Getenv("ZGATE_LOAD_PRS"); v != "" {
		n, err := strconv.Atoi(v)
		must(t, err)
		c.prs = n
	}
	if v := os.Getenv("ZGATE_LOAD_RATES"); v != "" {
		c.rates = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			must(t, err)
			c.rates = append(c.rates, n)
		}
	}
	if v := os.Getenv("ZGATE_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		must(t, err)
		c.dur = d
	}
	if v := os.Getenv("ZGATE_LOAD_SWEEP_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		must(t, err)
		c.sweep = d
	}
	return c
}

// stores are the databases to run against: SQLite always, PostgreSQL
// when ZGATE_TEST_POSTGRES names a server (each run gets a fresh schema).
func stores() []string {
	out := []string{"sqlite"}
	if os.Getenv("ZGATE_TEST_POSTGRES") != "" {
		out = append(out, "postgres")
	}
	return out
}

func database(t testing.TB, w *world, kind string) string {
	if kind == "postgres" {
		return storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES"))
	}
	return "sqlite:" + filepath.Join(w.dir, "zgate.db")
}

// coldStart waits for zgate's first sweep to evaluate every pull request
// (each gets its check run) and returns the phase.
func coldStart(t testing.TB, w *world, p *proc, prs int, start time.Time, u0 usage) phase {
	t.Helper()
	p.settle(t, func() bool { return w.obs.writtenPRs() >= prs }, time.Second, 5*time.Minute)
	snap := w.obs.take()
	u := p.usage(t)
	return phase{name: "cold start", prs: prs, wall: snap.last.Sub(start), evals: p.evaluations(t),
		cpu: u.cpu - u0.cpu, rss: u.rss, peak: u.peak, snap: snap}
}

// BenchmarkLoad runs `zgate serve` (4 workers) with 1,000 open pull
// requests and sends review events at each open-loop rate for a fixed
// time; see the package doc and docs/performance.md. Run it with
//
//	ZGATE_LOAD=1 go test ./test/load -run XXX -bench Load -benchtime 1x
func BenchmarkLoad(b *testing.B) {
	cfg := loadConfig(b)
	for _, kind := range stores() {
		b.Run(kind, func(b *testing.B) {
			w := newWorld(b, cfg.prs)
			start := time.Now()
			p := w.serve(database(b, w, kind), time.Hour)
			phases := []phase{coldStart(b, w, p, cfg.prs, start, usage{})}
			for _, rate := range cfg.rates {
				b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
					ph := openLoop(b, w, p, cfg, rate)
					phases = append(phases, ph)
					all, rated := ph.calls()
					b.ReportMetric(float64(all)/ph.per(), "calls/event")
					b.ReportMetric(float64(rated)/ph.per(), "rate-limited/event")
					b.ReportMetric(float64(ph.percentile(0.50).Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(ph.percentile(0.99).Microseconds())/1000, "p99-ms")
					b.ReportMetric(ph.evals/ph.wall.Seconds(), "evals/s")
					b.ReportMetric(float64(ph.cpuPerEval().Microseconds())/1000, "cpu-ms/eval")
					b.ReportMetric(float64(ph.peak)/(1<<20), "peak-MB")
					b.ReportMetric(float64(ph.snap.lost+ph.snap.otherLost), "lost")
					b.ReportMetric(float64(ph.harness.Microseconds())/1000/ph.per(), "harness-cpu-ms/event")
					b.ReportMetric(float64(ph.harnessPerExchange().Nanoseconds())/1000, "harness-cpu-µs/exchange")
				})
			}
			writeTable(os.Stdout, kind, phases)
		})
	}
}

// openLoop sends rate review events per second for cfg.dur, round robin
// over the pull requests, each one flipping carol's review between
// approve and request changes (so each changes the check run's count of
// approvals), then waits until every event is answered by a check-run
// write or 30 s pass.
func openLoop(t testing.TB, w *world, p *proc, cfg config, rate int) phase {
	t.Helper()
	n := int(float64(rate) * cfg.dur.Seconds())
	ev0, u0 := p.evaluations(t), p.usage(t)
	w.obs.take()
	h0 := selfCPU(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	start := time.Now()
	for k := range n {
		if d := time.Until(start.Add(time.Duration(k) * time.Second / time.Duration(rate))); d > 0 {
			time.Sleep(d)
		}
		pr := k%len(w.heads) + 1
		state := "APPROVE"
		if w.flip(pr) {
			state = "REQUEST_CHANGES"
		}
		// SubmitReview returns once the simulator's outbox is empty:
		// the generator must not wait for it, or the load is closed.
		wg.Go(func() {
			if _, err := w.sim.SubmitReview(owner, repoName, pr, "carol", state, ""); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	sent := time.Since(start)
	deadline := time.Now().Add(30 * time.Second)
	for w.obs.pendingEvents() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d reviews failed, the first: %v", len(errs), errs[0])
	}
	p.settle(t, func() bool { return true }, 500*time.Millisecond, 30*time.Second)
	snap := w.obs.take()
	harness := selfCPU(t) - h0
	u := p.usage(t)
	wall := max(snap.last.Sub(start), sent)
	if snap.pending > 0 {
		t.Logf("rate %d/s: %d events not answered by a check-run write within 30 s", rate, snap.pending)
	}
	return phase{name: fmt.Sprintf("%d/s", rate), events: n, wall: wall, evals: p.evaluations(t) - ev0,
		cpu: u.cpu - u0.cpu, harness: harness, rss: u.rss, peak: u.peak, snap: snap}
}

// selfCPU is the user and system CPU the test process has used.
func selfCPU(t testing.TB) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	must(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// flip returns whether carol's next review of pr requests changes (her
// last one approved), and records it.
func (w *world) flip(pr int) bool {
	w.flipMu.Lock()
	defer w.flipMu.Unlock()
	if w.approved == nil {
		w.approved = map[int]bool{}
	}
	was := w.approved[pr]
	w.approved[pr] = !was
	return was
}

// BenchmarkSweep measures a sweep of 1,000 pull requests that did not
// change since zgate last evaluated them: calls (and those against the
// rate limit) per pull request and wall time. zgate sweeps at start (the
// cold start), then gets one review event per pull request at 100/s (so
// its caches hold what a day of reviews leaves, check runs read and
// written), and sweeps again one interval after its start. The reviews'
// evaluations start from what their webhooks carried and do not list the
// reviews (facts.Hints), so that sweep reads each changed review list
// once; the sweep after it ("sweep again", rate-limited/PR-again) finds
// nothing changed at all. Run it with
//
//	ZGATE_LOAD=1 go test ./test/load -run XXX -bench Sweep -benchtime 1x
func BenchmarkSweep(b *testing.B) {
	cfg := loadConfig(b)
	for _, kind := range stores() {
		b.Run(kind, func(b *testing.B) {
			w := newWorld(b, cfg.prs)
			start := time.Now()
			p := w.serve(database(b, w, kind), cfg.sweep)
			cold := coldStart(b, w, p, cfg.prs, start, usage{})
			const warmRate = 100
			warm := openLoop(b, w, p, config{dur: time.Duration(cfg.prs) * time.Second / warmRate}, warmRate)
			warm.name = "reviews, 1 per PR at 100/s"
			if elapsed := time.Since(start); elapsed > cfg.sweep-5*time.Second {
				b.Fatalf("cold start and reviews took %v, too close to the sweep interval %v: raise ZGATE_LOAD_SWEEP_INTERVAL", elapsed, cfg.sweep)
			}
			ev0, u0 := p.evaluations(b), p.usage(b)
			p.settle(b, func() bool { return p.evaluations(b) >= ev0+float64(cfg.prs) }, time.Second, cfg.sweep+5*time.Minute)
			snap := w.obs.take()
			u := p.usage(b)
			sweep := phase{name: "sweep", prs: cfg.prs, wall: snap.last.Sub(snap.first), evals: p.evaluations(b) - ev0,
				cpu: u.cpu - u0.cpu, rss: u.rss, peak: u.peak, snap: snap}
			all, rated := sweep.calls()
			b.ReportMetric(float64(all)/float64(cfg.prs), "calls/PR")
			b.ReportMetric(float64(rated)/float64(cfg.prs), "rate-limited/PR")
			b.ReportMetric(sweep.wall.Seconds(), "sweep-s")
			b.ReportMetric(float64(snap.writes), "check-run-writes")
			// The next sweep finds nothing changed since the last one read
			// everything: the review lists the reviews' hints stood in for
			// were read by the first.
			ev1, u1 := p.evaluations(b), p.usage(b)
			p.settle(b, func() bool { return p.evaluations(b) >= ev1+float64(cfg.prs) }, time.Second, cfg.sweep+5*time.Minute)
			snap = w.obs.take()
			u = p.usage(b)
			again := phase{name: "sweep again", prs: cfg.prs, wall: snap.last.Sub(snap.first), evals: p.evaluations(b) - ev1,
				cpu: u.cpu - u1.cpu, rss: u.rss, peak: u.peak, snap: snap}
			_, rated = again.calls()
			b.ReportMetric(float64(rated)/float64(cfg.prs), "rate-limited/PR-again")
			writeTable(os.Stdout, kind+", sweep", []phase{cold, warm, sweep, again})
		})
	}
}
