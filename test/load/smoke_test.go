package load

import (
	"os"
	"testing"
	"time"
)

// TestLoadSmoke runs the load harness tiny (5 pull requests, 10 review
// events) on every `go test` without -short, so that it keeps compiling
// and measuring: every event must be delivered, evaluated and answered by
// a check-run write, and the harness must see the calls that did it.
func TestLoadSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs zgate serve")
	}
	if os.Getenv("ZGATE_LOAD") != "" {
		t.Skip("the benchmarks run instead")
	}
	const prs = 5
	w := newWorld(t, prs)
	start := time.Now()
	p := w.serve(database(t, w, "sqlite"), time.Hour)
	cold := coldStart(t, w, p, prs, start, usage{})
	if all, _ := cold.calls(); all == 0 || cold.evals < prs {
		t.Fatalf("cold start: %d calls, %v evaluations; want calls and at least %d evaluations", all, cold.evals, prs)
	}
	ph := openLoop(t, w, p, config{dur: time.Second}, 10)
	if got := len(ph.snap.lat); got != ph.events || ph.snap.pending != 0 {
		t.Errorf("events answered by a check-run write = %d (%d pending), want %d", got, ph.snap.pending, ph.events)
	}
	if ph.snap.lost+ph.snap.otherLost != 0 {
		t.Errorf("lost deliveries = %d review, %d other; want 0", ph.snap.lost, ph.snap.otherLost)
	}
	if _, rated := ph.calls(); rated == 0 {
		t.Error("no rate-limited calls seen during the load: the observer is not counting")
	}
	if ph.snap.deliveries < ph.events || ph.harness <= 0 {
		t.Errorf("deliveries = %d for %d events, harness CPU %v: the observer is not counting", ph.snap.deliveries, ph.events, ph.harness)
	}
	if ph.cpu <= 0 || ph.peak <= 0 {
		t.Errorf("process usage cpu %v, peak RSS %d: /proc not read", ph.cpu, ph.peak)
	}
}
