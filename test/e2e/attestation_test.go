package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

const ciPredicate = "https://zgate.dev/ci-result/v1"

// attestPolicy needs both teams and a CI attestation about the head commit
// signed by the repository's ci.yml on main.
const attestPolicy = `version: 1
gates:
  - name: production
    if:
      paths: ["deploy/prod/**"]
    controls:
      teams:
        from: codeowners
      attestations:
        - name: ci
          predicate_type: ` + ciPredicate + `
          issuer: https://token.actions.githubusercontent.com
          identity: 'https://github\.com/acme/payments/\.github/workflows/ci\.yml@refs/heads/main'
    quorum: 3
    window: 24h
    then:
      merge: {method: squash}
`

// TestAttestationControl: a Sigstore bundle signed by CI about the head
// commit is the third control; one from another workflow does not count.
func TestAttestationControl(t *testing.T) {
	w := newWorldWith(t, attestPolicy)
	ca := attesttest.NewGitHubInstance(t)
	root := filepath.Join(w.dir, "trusted_root.json")
	must(t, os.WriteFile(root, ca.TrustedRootJSON(), 0o600))
	w.serveArgs = []string{"--trusted-root", root}
	w.serve()

	n, head := w.openPR("scale", nil)
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitCheck(head, "pending with 2 of 3", func(c githubsim.CheckRun) bool {
		return strings.Contains(c.Output.Title, "2 of 3 controls hold")
	})

	commit := attest.Commit{Owner: owner, Repo: repoName, SHA: head}
	stmt := attesttest.Statement(t, commit, ciPredicate, map[string]string{"result": "pass"})
	digest := attest.SubjectDigests(owner, repoName, head)[0]
	rogue := ca.SignAs(attesttest.Workflow(owner, repoName, ".github/workflows/rogue.yml", "refs/heads/main"), stmt)
	must(t, w.sim.AddAttestation(owner, repoName, digest, rogue))
	rerequest(t, w, head)
	w.waitCheck(head, "the rogue attestation not counted", func(c githubsim.CheckRun) bool {
		return strings.Contains(c.Output.Summary, "rogue.yml")
	})
	w.assertNotMerged(n)

	good := ca.SignAs(attesttest.Workflow(owner, repoName, ".github/workflows/ci.yml", "refs/heads/main"), stmt)
	must(t, w.sim.AddAttestation(owner, repoName, digest, good))
	rerequest(t, w, head)
	w.waitMerged(n)
}

// rerequest asks for the gate's per-base check run on sha (the one the
// waits read, so it exists by then) to be re-run, as a
// person clicking "Re-run" would.
func rerequest(t *testing.T, w *world, sha string) {
	t.Helper()
	for _, c := range w.sim.CheckRuns(owner, repoName, sha) {
		if c.Name == textCheck {
			must(t, w.sim.RerequestCheckRun(owner, repoName, c.ID, "carol"))
			return
		}
	}
	t.Fatalf("no %s check run on %s", textCheck, sha)
}
