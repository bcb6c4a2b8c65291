package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestReviewEventCalls: a review on a pull request zgate has seen reads
// what the review can change and writes the check runs, and no more: the
// check runs' status comes from the store (no GET of a run before its
// update), the policy and CODEOWNERS are parsed already for the base
// branch's head (only the branch ref is read, 304 while it does not move),
// and the head's statuses were read on its first evaluation (re-read only
// after a status webhook; TestForeignStatusOverwritten).
func TestReviewEventCalls(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, head := w.openPR("calls", nil)
	w.pendingWith(head, 0)
	time.Sleep(300 * time.Millisecond) // let the opening's evaluation finish
	w.sim.ResetCalls()
	w.approve(n, "carol")
	w.pendingWith(head, 1)
	time.Sleep(300 * time.Millisecond)
	calls := w.sim.Calls()
	for route, c := range calls {
		for _, never := range []string{"GET /repos/{owner}/{repo}/check-runs/", "/contents/", "/status"} {
			if strings.Contains(route, never) {
				t.Errorf("review event: %d × %s, want none", c, route)
			}
		}
	}
	if got := calls["GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews"]; got != 1 {
		t.Errorf("review event read the reviews %d times, want 1 (calls: %v)", got, calls)
	}
}
