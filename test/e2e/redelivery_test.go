package e2e

import (
	"testing"
	"time"
)

// TestRedeliveryRecoversLostDelivery: the pull request is opened while
// zgate is down, so GitHub's delivery fails and GitHub never sends it
// again by itself, and the periodic sweep is off. zgate asks GitHub for
// its failed deliveries at start, the delivery comes again under the same
// GUID, and the pull request gets its check.
func TestRedeliveryRecoversLostDelivery(t *testing.T) {
	w := newWorld(t)
	w.sim.SetWebhookURL("http://127.0.0.1:1/webhook") // zgate is down
	_, head := w.openPR("while-down", nil)
	w.sim.WaitDeliveries()
	lost := map[string]bool{}
	for _, d := range w.sim.Deliveries() {
		if d.Event == "pull_request" && d.StatusCode == 0 {
			lost[d.ID] = true
		}
	}
	if len(lost) == 0 {
		t.Fatalf("no failed pull_request delivery while zgate was down: %+v", w.sim.Deliveries())
	}
	w.serveArgs = []string{"--redelivery-interval", "1s"}
	w.serve()
	w.pendingWith(head, 0)
	recovered := false
	for _, d := range w.sim.Deliveries() {
		if lost[d.ID] && d.Redelivery && d.StatusCode == 202 {
			recovered = true
		}
	}
	if !recovered {
		t.Errorf("no redelivery of %v answered 202; deliveries: %+v", lost, w.sim.Deliveries())
	}
	// Once recovered, it is not asked for again.
	time.Sleep(2500 * time.Millisecond)
	n := 0
	for _, d := range w.sim.Deliveries() {
		if lost[d.ID] && d.StatusCode == 202 {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the lost delivery was taken in %d times, want once", n)
	}
}
