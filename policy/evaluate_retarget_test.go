package policy

import (
	"strings"
	"testing"
	"time"
)

// TestEvaluateRetarget: an approval is for the change into the base it was
// given on; one submitted at or before the latest base change does not
// count, whatever the freshness rule, and the reason says so.
func TestEvaluateRetarget(t *testing.T) {
	tests := []struct {
		name    string
		changed time.Duration // ago; 0: never retargeted
		fresh   Freshness
		want    State
	}{
		{name: "never retargeted", want: StateSuccess},
		{name: "approved after the retarget", changed: 2 * time.Hour, want: StateSuccess},
		{name: "approved before the retarget", changed: 30 * time.Minute, want: StatePending},
		{name: "fresh: any does not revive them", changed: 30 * time.Minute, fresh: FreshAny, want: StatePending},
		{name: "approved the second of the retarget", changed: time.Hour, want: StatePending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := evalGate("@acme/sre", "@acme/security")
			g.Quorum = 2
			if tt.fresh != "" {
				g.Controls.Teams.Fresh = tt.fresh
			}
			f := evalFacts()
			f.Reviews = []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)}
			if tt.changed != 0 {
				at := evalNow.Add(-tt.changed)
				f.PullRequest.BaseChangedAt = &at
			}
			gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
			if gd.State != tt.want {
				t.Fatalf("state = %s (%s), want %s", gd.State, gd.Summary, tt.want)
			}
			if tt.want == StateSuccess {
				return
			}
			for _, c := range gd.Controls {
				if c.ID == "@acme/sre" && !strings.Contains(c.Reason, "before the base branch changed") {
					t.Errorf("@acme/sre reason = %q, want it to say the approval predates the retarget", c.Reason)
				}
			}
		})
	}
}
