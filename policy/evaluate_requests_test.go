package policy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEvaluateReviewRequests(t *testing.T) {
	tests := []struct {
		name      string
		gate      func(g *Gate)
		facts     func(f *Facts)
		wantState State
		want      []string
		wantNote  string
	}{
		{
			name:      "off by default",
			gate:      func(g *Gate) { g.RequestReviews = "" },
			wantState: StatePending,
		},
		{
			name:      "off",
			gate:      func(g *Gate) { g.RequestReviews = RequestReviewsOff },
			wantState: StatePending,
		},
		{
			name:      "every missing team",
			wantState: StatePending,
			want:      []string{"@acme/sre", "@acme/security"},
		},
		{
			name:      "a team that holds is not asked",
			facts:     func(f *Facts) { f.Reviews = []Review{approve("bob", time.Hour)} },
			wantState: StatePending,
			want:      []string{"@acme/security"},
		},
		{
			name: "a team that reviewed in any state is not asked again",
			facts: func(f *Facts) {
				f.Reviews = []Review{review("dave", "DISMISSED", headSHA, time.Hour), review("carol", "COMMENTED", headSHA, time.Hour)}
			},
			wantState: StatePending,
		},
		{
			name:      "a team already requested is not asked again",
			facts:     func(f *Facts) { f.PullRequest.RequestedTeams = []string{"ACME/SRE"} },
			wantState: StatePending,
			want:      []string{"@acme/security"},
		},
		{
			name:      "the author's only team is not asked, and the note says so",
			facts:     func(f *Facts) { f.Teams["acme/security"] = []string{"alice", "renovate[bot]"} },
			wantState: StatePending,
			want:      []string{"@acme/sre"},
			wantNote:  "@acme/security: no review requested: the author is the team's only member, so nobody in it can approve",
		},
		{
			name:      "a team of another organization is not asked",
			gate:      func(g *Gate) { g.Controls.Teams.From = []string{"@acme/sre", "@other/sec"} },
			facts:     func(f *Facts) { f.Teams["other/sec"] = []string{"zed"} },
			wantState: StatePending,
			want:      []string{"@acme/sre"},
			wantNote:  "@other/sec: no review requested: the team is not in the repository's organization",
		},
		{
			name:      "users and unknown teams are not asked",
			gate:      func(g *Gate) { g.Controls.Teams.From = []string{"@bob", "@acme/ghosts", "@acme/sre"} },
			wantState: StatePending,
			want:      []string{"@acme/sre"},
		},
		{
			name:      "the quorum is met: optional teams are not asked",
			gate:      func(g *Gate) { g.Quorum = 1 },
			facts:     func(f *Facts) { f.Reviews = []Review{approve("bob", time.Hour)} },
			wantState: StateSuccess,
		},
		{
			name: "a required team is asked while the quorum is short of it",
			gate: func(g *Gate) {
				g.Quorum = 1
				g.Required = []string{"@acme/security"}
			},
			facts:     func(f *Facts) { f.Reviews = []Review{approve("bob", time.Hour)} },
			wantState: StatePending,
			want:      []string{"@acme/security"},
		},
		{
			name:      "a draft asks nobody",
			facts:     func(f *Facts) { f.PullRequest.Draft = true },
			wantState: StatePending,
		},
		{
			name:      "changes requested: nobody is asked",
			facts:     func(f *Facts) { f.Reviews = []Review{review("erin", "CHANGES_REQUESTED", headSHA, time.Hour)} },
			wantState: StateFailure,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := evalGate("@acme/sre", "@acme/security")
			g.RequestReviews = RequestReviewsTeams
			if tc.gate != nil {
				tc.gate(&g)
			}
			f := evalFacts()
			if tc.facts != nil {
				tc.facts(f)
			}
			gd := Evaluate(&Policy{Version: 1, Gates: []Gate{g}}, f, evalNow).Gates[0]
			if gd.State != tc.wantState {
				t.Fatalf("state = %s (%s), want %s", gd.State, gd.Summary, tc.wantState)
			}
			if diff := cmp.Diff(tc.want, gd.ReviewRequests); diff != "" {
				t.Errorf("ReviewRequests mismatch (-want +got):\n%s", diff)
			}
			if tc.wantNote != "" && !contains(gd.Notes, tc.wantNote) {
				t.Errorf("Notes = %q, want one %q", gd.Notes, tc.wantNote)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
