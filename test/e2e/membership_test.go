package e2e

import (
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestMembershipRemovalReevaluates: a green check must not outlive the
// team membership it relied on. Carol's approval counts for sre; she
// leaves sre (the membership webhook is the only event) and the check goes
// back to pending.
func TestMembershipRemovalReevaluates(t *testing.T) {
	policy := strings.Replace(policyFile, "    then:\n      merge: {method: squash}\n", "", 1)
	w := newWorldWith(t, policy)
	w.serve()
	n, head := w.openPR("scale", nil)
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitCheck(head, "success", func(c githubsim.CheckRun) bool { return c.Conclusion == "success" })

	must(t, w.sim.RemoveTeamMember(owner, "sre", "carol"))
	w.pendingWith(head, 1)
	w.assertNotMerged(n)
}

// TestOrganizationMemberRemovedReevaluates: the same when a person leaves
// the organization (organization member_removed).
func TestOrganizationMemberRemovedReevaluates(t *testing.T) {
	policy := strings.Replace(policyFile, "    then:\n      merge: {method: squash}\n", "", 1)
	w := newWorldWith(t, policy)
	w.serve()
	n, head := w.openPR("scale", nil)
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitCheck(head, "success", func(c githubsim.CheckRun) bool { return c.Conclusion == "success" })

	must(t, w.sim.RemoveOrgMember(owner, "carol"))
	w.pendingWith(head, 1)
	w.assertNotMerged(n)
}
