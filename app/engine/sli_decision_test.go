package engine

import (
	"testing"

	"github.com/zgate-dev/zgate/policy"
)

// TestControlDomainsDecision: a held decision control is one domain of
// its own, beside teams and attestation issuers.
func TestControlDomainsDecision(t *testing.T) {
	g := &policy.Gate{Controls: policy.Controls{
		Attestations: []policy.AttestationControl{{Name: "ci", Issuer: "https://token.actions.githubusercontent.com"}, {Name: "build", Issuer: "https://token.actions.githubusercontent.com"}},
		Decision:     &policy.DecisionControl{Repository: "acme/app", Gate: "production", Key: "k.pub"},
	}}
	gd := policy.GateDecision{Controls: []policy.ControlResult{
		{ID: "@acme/sre", Kind: policy.ControlTeam, Held: true},
		{ID: "ci", Kind: policy.ControlAttestation, Held: true},
		{ID: "build", Kind: policy.ControlAttestation, Held: true},
		{ID: "decision:acme/app/production", Kind: policy.ControlDecision, Held: true},
	}}
	if got := controlDomains(g, gd); got != 3 {
		t.Errorf("controlDomains = %d, want 3 (team, issuer, decision)", got)
	}
	gd.Controls[3].Held = false
	if got := controlDomains(g, gd); got != 2 {
		t.Errorf("controlDomains without the decision = %d, want 2", got)
	}
}
