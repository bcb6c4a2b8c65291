package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestBreakGlassOverride: two incident commanders commenting
// "/zgate override <reason>" open the gate; the override and its reasons
// are in the audit log.
func TestBreakGlassOverride(t *testing.T) {
	policy := strings.Replace(policyFile, "    then:", "    override:\n      teams: [\"@acme/incident\"]\n      approvals: 2\n    then:", 1)
	w := newWorldWith(t, policy)
	must(t, w.sim.AddTeamMember(owner, "incident", "erin", "active"))
	must(t, w.sim.AddTeamMember(owner, "incident", "frank", "active"))
	w.serve()
	n, head := w.openPR("hotfix", nil)
	w.pendingWith(head, 0)
	nextSecond() // an override dated in the second zgate saw the head does not count
	_, err := w.sim.Comment(owner, repoName, n, "erin", "/zgate override payments are down, rollback")
	must(t, err)
	_, err = w.sim.Comment(owner, repoName, n, "alice", "/zgate override I am the author") // never counts
	must(t, err)
	w.pendingWith(head, 0)
	w.assertNotMerged(n)
	_, err = w.sim.Comment(owner, repoName, n, "frank", "/zgate override confirmed with on-call")
	must(t, err)
	w.waitMerged(n)
	w.waitAudit(audit.KindOverride, 1)
	var reasons string
	for _, r := range w.auditRecords() {
		if r.Kind == audit.KindOverride {
			reasons = string(r.Data)
		}
	}
	for _, want := range []string{"payments are down", "confirmed with on-call", "erin", "frank"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("override record %s lacks %q", reasons, want)
		}
	}
}

// TestDispatchOnce: a dispatch gate dispatches its workflow once per head,
// with zgate_id, pr, head_sha and gate inputs, however often it is
// re-evaluated.
func TestDispatchOnce(t *testing.T) {
	policy := strings.Replace(policyFile, "      merge: {method: squash}", "      dispatch: {workflow: deploy.yml, ref: main, inputs: {env: production}}", 1)
	w := newWorldWith(t, policy)
	w.serve()
	n, head := w.openPR("deploy", nil)
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitCheck(head, "success", func(c githubsim.CheckRun) bool { return c.Conclusion == "success" })
	deadline := time.Now().Add(waitFor)
	for len(w.sim.Dispatches(owner, repoName)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	rerequest(t, w, head)
	rerequest(t, w, head)
	w.waitAudit("execution:done", 1)
	time.Sleep(300 * time.Millisecond)
	ds := w.sim.Dispatches(owner, repoName)
	if len(ds) != 1 {
		t.Fatalf("dispatches = %d, want 1: %+v", len(ds), ds)
	}
	in := ds[0].Inputs
	if in["head_sha"] != head || in["gate"] != "production" || in["env"] != "production" || in["zgate_id"] == "" {
		t.Errorf("dispatch inputs = %v, want head_sha %s, gate, env and zgate_id", in, head)
	}
	w.assertNotMerged(n)
}

// TestPolicyChangeOnBase: a push to main that changes CODEOWNERS
// re-evaluates the open pull requests against the new owners.
func TestPolicyChangeOnBase(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	// Now only SRE owns production: one team cannot make a quorum of two.
	_, err := w.sim.Push(owner, repoName, "main", map[string]string{".github/CODEOWNERS": "/deploy/prod/ @acme/sre\n"}, nil, "admin")
	must(t, err)
	w.waitCheck(head, "failure", func(c githubsim.CheckRun) bool { return c.Conclusion == "failure" })
	w.approve(n, "carol")
	time.Sleep(300 * time.Millisecond)
	w.assertNotMerged(n)
}
