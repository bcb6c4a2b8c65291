package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// twoGatesPolicy has a light docs gate that merges on one approval and the
// production gate (quorum 2) that merges too.
const twoGatesPolicy = `version: 1
gates:
  - name: docs
    if:
      paths: ["docs/**"]
    controls:
      teams: {from: codeowners, fresh: head}
    quorum: 1
    then:
      merge: {method: squash}
  - name: production
    if:
      base: [main]
      paths: ["deploy/prod/**"]
    controls:
      teams: {from: codeowners, fresh: head}
    quorum: 2
    then:
      merge: {method: squash}
`

// TestMergeWaitsForEveryApplicableGate (issue 7, 1.3): a pull request that
// touches docs and production opens the docs gate on one approval; zgate
// must not merge while production (quorum 2) is pending, even with no
// branch protection, and the docs check says what it waits for.
func TestMergeWaitsForEveryApplicableGate(t *testing.T) {
	w := newWorldWith(t, twoGatesPolicy)
	must(t, w.sim.SetRequiredChecks(owner, repoName, "main", nil))
	w.serve()
	n, head := w.openPR("both", map[string]string{
		"docs/README.md":           "new docs\n",
		"deploy/prod/payments.yml": "replicas: 9\n",
	})
	w.pendingWith(head, 0)
	w.approve(n, "pat") // platform owns docs/: docs holds, production does not
	// The per-base name carries the explanation; `zgate/docs` mirrors
	// only the outcome (both are written side by side).
	docs := w.waitRun(head, "docs open", func(c githubsim.CheckRun) bool {
		return c.Name == "zgate/docs: main" && c.Conclusion == "success"
	})
	w.pendingWith(head, 0)
	time.Sleep(500 * time.Millisecond)
	w.assertNotMerged(n)
	if !strings.Contains(docs.Output.Summary, "waits for `production` (pending)") {
		t.Errorf("the docs check does not say it waits for production:\n%s", docs.Output.Summary)
	}

	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitMerged(n)
	time.Sleep(300 * time.Millisecond)
	if got := w.mergeCount(); got != 1 {
		t.Errorf("merges = %d, want 1", got)
	}
}
