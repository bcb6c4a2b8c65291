package policydiff

import (
	"strings"
	"testing"
)

// TestCompareDecision: removing a needed decision control, or trusting
// another key file for it, weakens the gate; adding one does not.
func TestCompareDecision(t *testing.T) {
	const withDecision = `version: 1
gates:
  - name: ship
    controls:
      teams: {from: ["@acme/release"]}
      decision: {repository: acme/app, gate: production, key: .github/decision.pub}
`
	const without = `version: 1
gates:
  - name: ship
    controls:
      teams: {from: ["@acme/release"]}
`
	tests := []struct {
		name     string
		old, new string
		weakens  bool
		text     string
	}{
		{"removed", withDecision, without, true, "control decision:acme/app/production removed: its consent is no longer needed"},
		{"added", without, withDecision, false, "control decision:acme/app/production added, and needed"},
		{"key changed", withDecision, strings.Replace(withDecision, ".github/decision.pub", "keys/mine.pub", 1), true, "decision decision:acme/app/production: key .github/decision.pub → keys/mine.pub"},
		{"gate changed", withDecision, strings.Replace(withDecision, "gate: production", "gate: staging", 1), true, "control decision:acme/app/production removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compare(Input{Old: Side{Policy: mustParse(t, tt.old)}, New: Side{Policy: mustParse(t, tt.new)}})
			if r.Weakens() != tt.weakens {
				t.Errorf("Weakens() = %t, want %t: %+v", r.Weakens(), tt.weakens, r.Changes)
			}
			found := false
			for _, c := range r.Changes {
				found = found || strings.Contains(c.Text, tt.text)
			}
			if !found {
				t.Errorf("changes %+v lack %q", r.Changes, tt.text)
			}
		})
	}
}
