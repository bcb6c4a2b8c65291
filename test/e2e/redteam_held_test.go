package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// checkOnlyPolicy is the default policy without a Z: people merge once the
// required check is green, so a check that stays green too long is a
// bypass.
var checkOnlyPolicy = strings.Replace(policyFile, "    then:\n      merge: {method: squash}\n", "", 1)

// TestDismissedApprovalCloses (red team, held): a dismissed approval takes
// the green check with it.
func TestDismissedApprovalCloses(t *testing.T) {
	w := newWorldWith(t, checkOnlyPolicy)
	w.serve()
	n, head := w.openPR("scale", nil)
	id, err := w.sim.SubmitReview(owner, repoName, n, "carol", "APPROVE", "ok")
	must(t, err)
	w.approve(n, "dave")
	w.waitRun(head, mainCheck+" success", named(mainCheck, isSuccess))
	must(t, w.sim.DismissReview(owner, repoName, n, id, "not so fast"))
	w.waitRun(head, mainCheck+" pending again", named(mainCheck, isPending))
	w.pendingWith(head, 1)
}

// TestForeignPerBaseStatusOverwritten (red team, held): a commit status
// named like the per-base check, set by someone else, is overwritten.
func TestForeignPerBaseStatusOverwritten(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, head := w.openPR("sneaky", nil)
	w.pendingWith(head, 0)
	must(t, w.sim.SetStatus(owner, repoName, head, "success", mainCheck, "trust me", "mallory"))
	deadline := time.Now().Add(waitFor)
	for {
		var last githubsim.Status
		for _, st := range w.sim.Statuses(owner, repoName, head) {
			if st.Context == mainCheck {
				last = st
			}
		}
		if last.State == "pending" && last.Creator != "mallory" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the foreign %q status was not overwritten: %+v", mainCheck, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.assertNotMerged(n)
}

// TestApproverWhoPushedBackToAnApprovedHead (red team, held): carol
// approves head A, pushes B, and the author moves the branch back to A.
// A's approvals are fresh again, but carol pushed to the pull request, so
// hers does not count.
func TestApproverWhoPushedBackToAnApprovedHead(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, headA := w.openPR("scale", nil)
	w.pendingWith(headA, 0)
	w.approve(n, "carol")
	w.pendingWith(headA, 1)
	headB, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 1\n"}, nil, "carol")
	must(t, err)
	w.pendingWith(headB, 0)
	must(t, w.sim.MoveBranch(owner, repoName, "scale", headA, "alice"))
	w.approve(n, "dave")
	w.pendingWith(headA, 1)
	time.Sleep(500 * time.Millisecond)
	w.assertNotMerged(n)
}

// TestPushWhileClosed (red team, held): carol moves the head of a closed
// pull request (no synchronize is sent for a closed pull request, only a
// push), the author reopens it, and carol approves: she pushed the head,
// so her approval does not count.
func TestPushWhileClosed(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	must(t, w.sim.ClosePR(owner, repoName, n, "alice"))
	head2, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 2\n"}, nil, "carol")
	must(t, err)
	must(t, w.sim.ReopenPR(owner, repoName, n, "alice"))
	w.pendingWith(head2, 0)
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.pendingWith(head2, 1)
	time.Sleep(500 * time.Millisecond)
	w.assertNotMerged(n)
}
