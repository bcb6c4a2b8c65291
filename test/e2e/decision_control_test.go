package e2e

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
	"github.com/zgate-dev/zgate/decision"
)

const deployRepo = "payments-deploy"

// decisionDeployPolicy is the deploy repository's: gate ship needs a signed
// decision of acme/payments' production gate, verified with the key kept
// on the deploy repository's base branch; gate foreign needs one from a
// repository the App's installation on acme cannot read.
const decisionDeployPolicy = `version: 1
gates:
  - name: ship
    controls:
      teams:
        from: []
      decision:
        repository: acme/payments
        gate: production
        key: .github/zgate-decision.pub
    window: 24h
  - name: foreign
    controls:
      teams:
        from: []
      decision:
        repository: other/app
        gate: production
        key: .github/zgate-decision.pub
    window: 24h
`

// TestDecisionControl: a deploy repository carrying the application
// repository's commits gates a pull request on the signed decision of the
// application's production gate about the same head commit. It is pending
// until that decision exists: a decision signed with another key, one of
// another gate and a genuine one with a byte changed do not count; the
// decision zgate signs when it merges the application's pull request
// does. A decision control whose repository the installation cannot read
// fails closed.
func TestDecisionControl(t *testing.T) {
	w := newWorld(t)
	sg := newDecisionSigning(t, w, attesttest.ECDSAP256)
	root, key, tsa := sg.root, sg.key, sg.tsaURL
	w.serveArgs = []string{"--signing-key", sg.keyFile, "--tsa", tsa, "--trusted-root", root}

	// The application's pull request, and the deploy repository: its main
	// is the application's main plus its own policy and the decision key;
	// its release branch is the application's head, fetched.
	base, err := w.sim.BranchSHA(owner, repoName, "main")
	must(t, err)
	n, head := w.openPR("scale", nil)
	must(t, w.sim.CreateRepo(owner, deployRepo, map[string]string{"README.md": "deploys payments\n"}))
	must(t, w.sim.CreateRepo("other", "app", map[string]string{"README.md": "another owner\n"}))
	must(t, w.sim.Fetch(owner, deployRepo, owner, repoName, head))
	must(t, w.sim.MoveBranch(owner, deployRepo, "main", base, "admin"))
	_, err = w.sim.Push(owner, deployRepo, "main", map[string]string{
		".github/zgate.yml":          decisionDeployPolicy,
		".github/zgate-decision.pub": string(attesttest.PublicKeyPEM(t, key)),
	}, nil, "admin")
	must(t, err)
	w.serve()
	must(t, w.sim.MoveBranch(owner, deployRepo, "release", head, "alice"))
	_, err = w.sim.OpenPR(owner, deployRepo, githubsim.PROptions{Head: "release", Base: "main", Title: "Ship scale", Author: "alice"})
	must(t, err)

	ship := waitDeployCheck(t, w, head, "zgate/ship: main", "pending without a decision", func(c githubsim.CheckRun) bool {
		return c.Status == "in_progress" && strings.Contains(c.Output.Summary+c.Output.Text, "no valid signed decision of acme/payments gate production")
	})
	waitDeployCheck(t, w, head, "zgate/foreign: main", "failure: other/app unreadable", func(c githubsim.CheckRun) bool {
		return c.Conclusion == "failure" && strings.Contains(c.Output.Summary+c.Output.Text, "cannot read other/app")
	})

	// Forgeries, uploaded to the application repository's attestations.
	forge := func(signer crypto.Signer, gate string) []byte {
		t.Helper()
		p := decision.Predicate{
			Repository: owner + "/" + repoName, PullRequest: n, Base: decision.Base{Ref: "main", SHA: base},
			HeadSHA: head, Gate: gate, Action: "merge",
			Policy:   decision.File{Path: ".github/zgate.yml", SHA256: sha256Hex(policyFile)},
			Controls: []decision.Control{{ID: "@acme/sre", Kind: "team", Commit: head, Approver: "mallory", SubmittedAt: ptr(time.Now().UTC())}},
			Window:   "24h0m0s", DecidedAt: time.Now().UTC(), ZgateVersion: "forged",
		}
		st, err := decision.Statement(p)
		must(t, err)
		b, err := attest.SignKeyed(context.Background(), signer, st, attest.SignOptions{TSAURL: tsa})
		must(t, err)
		return b
	}
	altered := forge(key, "production")
	i := bytes.Index(altered, []byte(`"sig":"`))
	if i < 0 {
		t.Fatalf("no signature in %s", altered)
	}
	i += len(`"sig":"`) + 5
	altered[i] = changed(altered[i])
	forgeries := [][]byte{
		forge(attesttest.NewKey(t, attesttest.ECDSAP256), "production"), // another key
		forge(key, "staging"), // another gate
		altered,               // a genuine decision, one byte changed
	}
	digest := attest.SubjectDigests(owner, repoName, head)[0]
	for _, b := range forgeries {
		must(t, w.sim.AddAttestation(owner, repoName, digest, json.RawMessage(b)))
	}
	must(t, w.sim.RerequestCheckRun(owner, deployRepo, ship.ID, "alice"))
	ship = waitDeployCheck(t, w, head, "zgate/ship: main", "pending, the three forgeries explained", func(c githubsim.CheckRun) bool {
		text := c.Output.Summary + c.Output.Text
		return c.Status == "in_progress" && strings.Contains(text, "names no configured public key") &&
			strings.Contains(text, `it is gate "staging"'s, not "production"'s`) && strings.Contains(text, "tampered payload")
	})

	// The application's gate opens and merges: zgate signs its decision,
	// about the head and the merge commit.
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitMerged(n)
	w.waitAudit("decision_signed", 1)
	must(t, w.sim.RerequestCheckRun(owner, deployRepo, ship.ID, "alice"))
	ship = waitDeployCheck(t, w, head, "zgate/ship: main", "success with the signed decision", func(c githubsim.CheckRun) bool {
		return c.Conclusion == "success"
	})
	if !strings.Contains(ship.Output.Summary+ship.Output.Text, "acme/payments gate production decided "+head[:7]) {
		t.Errorf("success text does not name the decision:\n%s", ship.Output.Summary+ship.Output.Text)
	}
}

// waitDeployCheck waits until the deploy repository's check name on sha
// satisfies ok.
func waitDeployCheck(t *testing.T, w *world, sha, name, what string, ok func(githubsim.CheckRun) bool) githubsim.CheckRun {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	var last githubsim.CheckRun
	for time.Now().Before(deadline) {
		for _, c := range w.sim.CheckRuns(owner, deployRepo, sha) {
			if c.Name == name {
				last = c
				if ok(c) {
					return c
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("check %s on %s: want %s within %v; last %s/%s %q\n%s", name, sha[:7], what, waitFor, last.Status, last.Conclusion, last.Output.Title, last.Output.Summary+last.Output.Text)
	return last
}

func ptr[T any](v T) *T { return &v }
