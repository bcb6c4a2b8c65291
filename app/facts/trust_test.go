package facts

import (
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/policy"
)

// TestEvaluateRefusesUntrustedDispatch: a dispatch gate that holds under
// the policy of an untrusted base fails with the reason; a merge gate and
// a trusted base are left as policy.Evaluate decides.
func TestEvaluateRefusesUntrustedDispatch(t *testing.T) {
	const src = `version: 1
gates:
  - name: deploy
    controls: {teams: {from: ["@carol"]}}
    quorum: 1
    then: {dispatch: {workflow: deploy.yml, ref: main}}
  - name: land
    controls: {teams: {from: ["@carol"]}}
    quorum: 1
    then: {merge: {method: squash}}
`
	p, err := policy.Parse("zgate.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	const head = "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"
	facts := policy.Facts{
		Repository:  "acme/payments",
		PullRequest: policy.PullRequest{Number: 1, Author: "mallory", Base: "evil", HeadSHA: head},
		Reviews:     []policy.Review{{User: "carol", State: "APPROVED", CommitID: head, SubmittedAt: now.Add(-time.Minute)}},
	}
	for _, tt := range []struct {
		name        string
		trusted     bool
		reason      string
		wantDeploy  policy.State
		wantSummary string
	}{
		{"untrusted base", false, "branch evil is not protected, so anyone who can push to it wrote its policy", policy.StateFailure, "not protected"},
		{"unknown protection", false, "", policy.StateFailure, "neither the default branch nor protected"},
		{"trusted base", true, "", policy.StateSuccess, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := &Result{Policy: p, BaseRef: "evil", BaseTrusted: tt.trusted, BaseTrustReason: tt.reason, Facts: facts}
			d := Evaluate(res, now)
			got := map[string]policy.GateDecision{}
			for _, gd := range d.Gates {
				got[gd.Name] = gd
			}
			if got["deploy"].State != tt.wantDeploy {
				t.Errorf("deploy = %s (%s), want %s", got["deploy"].State, got["deploy"].Summary, tt.wantDeploy)
			}
			if !strings.Contains(got["deploy"].Summary, tt.wantSummary) {
				t.Errorf("deploy summary = %q, want it to contain %q", got["deploy"].Summary, tt.wantSummary)
			}
			if got["land"].State != policy.StateSuccess {
				t.Errorf("land (a merge) = %s, want success whatever the base's protection", got["land"].State)
			}
		})
	}
}
