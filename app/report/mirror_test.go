package report

import (
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/policy"
)

// TestMirrorFollowsOutcomeOnly: the legacy name's content changes when
// the outcome does, never when only the explanation does, and names the
// check that explains.
func TestMirrorFollowsOutcomeOnly(t *testing.T) {
	render := func(state policy.State, summary string) Content {
		return Content{Name: "zgate/production: main", Title: summary, Summary: summary, DetailsURL: "https://z/d"}.withState(state)
	}
	tests := []struct {
		name     string
		a, b     Content
		sameText bool
	}{
		{"pending, more approvals", render(policy.StatePending, "0 of 2"), render(policy.StatePending, "1 of 2"), true},
		{"failure, other reason", render(policy.StateFailure, "no owner"), render(policy.StateFailure, "expired"), true},
		{"pending to success", render(policy.StatePending, "1 of 2"), render(policy.StateSuccess, "2 of 2"), false},
		{"success to failure", render(policy.StateSuccess, "2 of 2"), render(policy.StateFailure, "2 of 2"), false},
		{"failure to skipped", render(policy.StateFailure, "x"), render(policy.StateSkipped, "x"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ma, mb := tt.a.Mirror("zgate/production"), tt.b.Mirror("zgate/production")
			if got := ma.Fingerprint == mb.Fingerprint; got != tt.sameText {
				t.Errorf("same fingerprint = %v, want %v (%q vs %q)", got, tt.sameText, ma.Title, mb.Title)
			}
			if tt.a.Fingerprint == tt.b.Fingerprint {
				t.Errorf("the explaining checks' fingerprints are equal; the case tests nothing")
			}
			for _, m := range []Content{ma, mb} {
				if m.Name != "zgate/production" || !strings.Contains(m.Title, "zgate/production: main") || m.DetailsURL != "https://z/d" {
					t.Errorf("mirror = %q %q %q, want the legacy name pointing at zgate/production: main", m.Name, m.Title, m.DetailsURL)
				}
			}
			if ma.Status != tt.a.Status || ma.Conclusion != tt.a.Conclusion || mb.Status != tt.b.Status || mb.Conclusion != tt.b.Conclusion {
				t.Errorf("mirror outcome %s/%s, %s/%s; want %s/%s, %s/%s", ma.Status, ma.Conclusion, mb.Status, mb.Conclusion, tt.a.Status, tt.a.Conclusion, tt.b.Status, tt.b.Conclusion)
			}
		})
	}
}

// withState sets the status and conclusion of state and seals c.
func (c Content) withState(s policy.State) Content {
	c.Status, c.Conclusion = statusOf(s)
	return c.sealed()
}
