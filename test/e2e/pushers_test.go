package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// overridePolicy is the default policy with a one-person break glass by
// @acme/ic and a dispatch as its Z.
var overridePolicy = strings.NewReplacer(
	"    then:", "    override:\n      teams: [\"@acme/ic\"]\n      approvals: 1\n    then:",
	"      merge: {method: squash}", "      dispatch: {workflow: deploy.yml, ref: main}",
).Replace(policyFile)

// nextSecond waits until the wall clock is in a later second than now.
// GitHub dates comments in whole seconds and zgate counts an override only
// when its date is at or after the moment zgate first saw the head, so a
// comment posted in the same second as that moment does not count.
func nextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
}

// waitDispatches waits until the simulator saw n dispatches, then returns
// how many it saw after a pause that would let a wrong extra one through.
func (w *world) waitDispatches(n int) int {
	w.t.Helper()
	deadline := time.Now().Add(waitFor)
	for len(w.sim.Dispatches(owner, repoName)) < n {
		if time.Now().After(deadline) {
			w.t.Fatalf("dispatches = %d after %v, want %d", len(w.sim.Dispatches(owner, repoName)), waitFor, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	return len(w.sim.Dispatches(owner, repoName))
}

// checkText is everything a check run shows.
func checkText(c githubsim.CheckRun) string {
	return c.Output.Title + "\n" + c.Output.Summary + "\n" + c.Output.Text
}

// waitCheckSays waits for the gate's check on sha to be pending and to say
// want.
func (w *world) waitCheckSays(sha, want string) githubsim.CheckRun {
	w.t.Helper()
	return w.waitCheck(sha, "pending, saying "+want, func(c githubsim.CheckRun) bool {
		return c.Status == "in_progress" && strings.Contains(checkText(c), want)
	})
}

// TestOverrideOutlivesNoPush (issue 7, 1.2): an override given on head A
// dispatches A once; after the author pushes B the override no longer
// holds, so B is not dispatched, and the check says why.
func TestOverrideOutlivesNoPush(t *testing.T) {
	w := newWorldWith(t, overridePolicy)
	must(t, w.sim.AddTeamMember(owner, "ic", "ivan", "active"))
	w.serve()
	n, head := w.openPR("hotfix", nil)
	w.pendingWith(head, 0)
	nextSecond()
	_, err := w.sim.Comment(owner, repoName, n, "ivan", "/zgate override INC-7: payments are down")
	must(t, err)
	if got := w.waitDispatches(1); got != 1 {
		t.Fatalf("dispatches after the override = %d, want 1", got)
	}
	head2, err := w.sim.Push(owner, repoName, "hotfix", map[string]string{"deploy/prod/payments.yml": "replicas: 77\n"}, nil, "alice")
	must(t, err)
	w.waitCheckSays(head2, "ivan's override does not count")
	time.Sleep(500 * time.Millisecond)
	if got := len(w.sim.Dispatches(owner, repoName)); got != 1 {
		t.Errorf("dispatches after the push = %d, want 1 (the override was given on %s)", got, head[:7])
	}
	c := w.waitCheckSays(head2, "before the head")
	if !strings.Contains(checkText(c), "an override holds only for the head it was given on") {
		t.Errorf("check on %s does not say why the override lapsed:\n%s", head2[:7], checkText(c))
	}
}

// TestOverrideDoesNotFollowAnOldHeadBack (issue 7, 1.2): an override given
// on B does not hold when the author moves the pull request back to its
// earlier head A: A's tenure starts anew.
func TestOverrideDoesNotFollowAnOldHeadBack(t *testing.T) {
	w := newWorldWith(t, overridePolicy)
	must(t, w.sim.AddTeamMember(owner, "ic", "ivan", "active"))
	w.serve()
	n, headA := w.openPR("hotfix", nil)
	w.pendingWith(headA, 0)
	headB, err := w.sim.Push(owner, repoName, "hotfix", map[string]string{"deploy/prod/payments.yml": "replicas: 4\n"}, nil, "alice")
	must(t, err)
	w.pendingWith(headB, 0)
	nextSecond()
	_, err = w.sim.Comment(owner, repoName, n, "ivan", "/zgate override INC-9: B is the fix")
	must(t, err)
	if got := w.waitDispatches(1); got != 1 {
		t.Fatalf("dispatches after the override on B = %d, want 1", got)
	}
	must(t, w.sim.MoveBranch(owner, repoName, "hotfix", headA, "alice"))
	w.waitCheckSays(headA, "ivan's override does not count")
	time.Sleep(500 * time.Millisecond)
	if got := len(w.sim.Dispatches(owner, repoName)); got != 1 {
		t.Errorf("dispatches after moving back to %s = %d, want 1", headA[:7], got)
	}
}

// TestEditedOverrideDoesNotCount (issue 7, 1.2): a comment edited into an
// override command, or an override edited afterwards, never counts.
func TestEditedOverrideDoesNotCount(t *testing.T) {
	w := newWorldWith(t, overridePolicy)
	must(t, w.sim.AddTeamMember(owner, "ic", "ivan", "active"))
	w.serve()
	n, head := w.openPR("hotfix", nil)
	w.pendingWith(head, 0)
	nextSecond()
	id, err := w.sim.Comment(owner, repoName, n, "ivan", "looking into INC-8")
	must(t, err)
	must(t, w.sim.EditComment(owner, repoName, id, "ivan", "/zgate override INC-8: rollback"))
	w.waitCheckSays(head, "an edited override never counts")
	time.Sleep(500 * time.Millisecond)
	if got := len(w.sim.Dispatches(owner, repoName)); got != 0 {
		t.Errorf("dispatches = %d, want 0: the override was an edit", got)
	}
}

// TestPusherCannotApprove (issue 7, 1.5): a team member who pushed a
// commit to someone else's pull request and then approves it is an
// author: the approval does not count, and the check says why.
func TestPusherCannotApprove(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, _ := w.openPR("scale", nil)
	head, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 6\n"}, nil, "carol")
	must(t, err)
	w.pendingWith(head, 0)
	w.approve(n, "carol")
	w.approve(n, "dave")
	c := w.pendingWith(head, 1)
	if !strings.Contains(checkText(c), "carol pushed to this pull request") {
		t.Errorf("check on %s does not say why carol's approval did not count:\n%s", head[:7], checkText(c))
	}
	time.Sleep(500 * time.Millisecond)
	w.assertNotMerged(n)
}

// TestPusherViaAnotherPR (issue 7, 1.5): carol writes the change in her
// own pull request; an accomplice points their branch at the same commit,
// so their pull request's recorded pusher is the accomplice. carol pushed
// that head through another pull request, so her approval of it does not
// count either.
func TestPusherViaAnotherPR(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	sha, err := w.sim.Push(owner, repoName, "carol-scale", map[string]string{"deploy/prod/payments.yml": "replicas: 60\n"}, nil, "carol")
	must(t, err)
	n2, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "carol-scale", Base: "main", Title: "Scale a lot", Author: "carol"})
	must(t, err)
	must(t, w.sim.ClosePR(owner, repoName, n2, "carol"))
	must(t, w.sim.MoveBranch(owner, repoName, "scale", sha, "alice"))
	w.pendingWith(sha, 0)
	w.approve(n, "carol")
	w.approve(n, "dave")
	c := w.pendingWith(sha, 1)
	if !strings.Contains(checkText(c), "carol pushed the head commit") {
		t.Errorf("check on %s does not say why carol's approval did not count:\n%s", sha[:7], checkText(c))
	}
	time.Sleep(500 * time.Millisecond)
	w.assertNotMerged(n)
}
