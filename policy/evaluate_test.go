package policy

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The fixtures below build a small world: the author alice, SRE (bob,
// carol), security (dave, erin), and a head commit.
var evalNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// headSeen is when the head was first seen: two days before evalNow, so
// overrides inside the window are after it.
var headSeen = evalNow.Add(-48 * time.Hour)

const (
	headSHA = "abc1234def5678"
	oldSHA  = "0ld0000c0ffee"
	ciType  = "https://zgate.dev/ci-result/v1"
	ciIss   = "https://token.actions.githubusercontent.com"
	ciID    = "https://github.com/acme/ci/.github/workflows/test.yml@refs/heads/main"
)

func evalFacts() *Facts {
	seen := headSeen
	return &Facts{
		Repository: "acme/payments",
		PullRequest: PullRequest{
			Number: 42, Author: "alice", Base: "main", HeadSHA: headSHA,
			Labels: []string{"deploy"}, ChangedFiles: []string{"deploy/prod/app.yaml"},
			HeadSeenAt: &seen,
		},
		Teams: map[string][]string{
			"acme/sre":      {"bob", "carol", "alice"},
			"acme/security": {"dave", "erin"},
			"acme/ic":       {"ivan", "judy", "alice"},
		},
	}
}

func evalGate(from ...string) Gate {
	return Gate{
		Name:                    "production",
		Controls:                Controls{Teams: TeamControls{From: from, Fresh: FreshHead}},
		Window:                  24 * time.Hour,
		BlockOnChangesRequested: true,
		Then:                    Action{Merge: &MergeAction{Method: "squash"}},
	}
}

func ciControl() AttestationControl {
	re := `https://github\.com/acme/ci/\.github/workflows/test\.yml@refs/heads/main`
	return AttestationControl{
		Name: "ci", PredicateType: ciType, Issuer: ciIss, Identity: re,
		IdentityRE: regexp.MustCompile(`^(?:` + re + `)$`),
	}
}

func review(user, state, commit string, ago time.Duration) Review {
	return Review{User: user, State: state, CommitID: commit, SubmittedAt: evalNow.Add(-ago)}
}

func approve(user string, ago time.Duration) Review {
	return review(user, "APPROVED", headSHA, ago)
}

func ciAttestation(ago time.Duration) Attestation {
	return Attestation{PredicateType: ciType, Issuer: ciIss, Identity: ciID, Commit: headSHA, SignedAt: evalNow.Add(-ago)}
}

// outcome is the part of a gate decision the table tests compare.
type outcome struct {
	State State
	// Held maps each held control to who holds it.
	Held map[string]string
}

func outcomeOf(gd GateDecision) outcome {
	o := outcome{State: gd.State, Held: map[string]string{}}
	for _, c := range gd.Controls {
		if c.Held {
			o.Held[c.ID] = c.By
		}
	}
	return o
}

func TestEvaluateRules(t *testing.T) {
	sre, sec := "@acme/sre", "@acme/security"
	tests := []struct {
		name  string
		gate  func(g *Gate)
		facts func(f *Facts)
		want  outcome
	}{
		{
			name:  "two teams approve",
			facts: func(f *Facts) { f.Reviews = []Review{approve("bob", time.Hour), approve("dave", 2*time.Hour)} },
			want:  outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name:  "self-approval by the author does not count",
			facts: func(f *Facts) { f.Reviews = []Review{approve("alice", time.Hour), approve("dave", time.Hour)} },
			want:  outcome{StatePending, map[string]string{sec: "dave"}},
		},
		{
			name: "self-approval with another login case",
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("ALICE", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "dave"}},
		},
		{
			name: "one person in two teams counts once",
			facts: func(f *Facts) {
				f.Teams["acme/security"] = append(f.Teams["acme/security"], "bob")
				f.Reviews = []Review{approve("bob", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "bob"}},
		},
		{
			name: "p1 in A and B, p2 in A gives both",
			facts: func(f *Facts) {
				f.Teams = map[string][]string{"acme/sre": {"p1", "p2"}, "acme/security": {"p1"}}
				f.Reviews = []Review{approve("p1", time.Hour), approve("p2", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "p2", sec: "p1"}},
		},
		{
			name: "stale approval after a push",
			facts: func(f *Facts) {
				f.Reviews = []Review{review("bob", "APPROVED", oldSHA, time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "dave"}},
		},
		{
			name: "unknown head: no review is of the head",
			facts: func(f *Facts) {
				f.PullRequest.HeadSHA = ""
				f.Reviews = []Review{review("bob", "APPROVED", "", time.Hour), review("dave", "APPROVED", "", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{}},
		},
		{
			name: "fresh any counts an older commit",
			gate: func(g *Gate) { g.Controls.Teams.Fresh = FreshAny },
			facts: func(f *Facts) {
				f.Reviews = []Review{review("bob", "APPROVED", oldSHA, time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "dismissed approval",
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", 2*time.Hour), review("bob", "DISMISSED", headSHA, time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "dave"}},
		},
		{
			name: "approval then changes requested blocks",
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", 2*time.Hour), review("bob", "CHANGES_REQUESTED", headSHA, time.Hour), approve("dave", time.Hour), approve("carol", time.Hour)}
			},
			want: outcome{StateFailure, map[string]string{sre: "carol", sec: "dave"}},
		},
		{
			name: "changes requested on an old commit long ago still blocks",
			facts: func(f *Facts) {
				f.Reviews = []Review{review("erin", "changes_requested", oldSHA, 30*24*time.Hour), approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateFailure, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "changes requested without blocking",
			gate: func(g *Gate) { g.BlockOnChangesRequested = false },
			facts: func(f *Facts) {
				f.Reviews = []Review{review("erin", "CHANGES_REQUESTED", headSHA, time.Hour), approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "changes requested by a non-member does not block",
			facts: func(f *Facts) {
				f.Reviews = []Review{review("mallory", "CHANGES_REQUESTED", headSHA, time.Hour), approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "changes requested by a bot member does not block",
			facts: func(f *Facts) {
				f.Teams["acme/sre"] = append(f.Teams["acme/sre"], "lint[bot]")
				f.Reviews = []Review{review("lint[bot]", "CHANGES_REQUESTED", headSHA, time.Hour), approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "a comment after an approval changes nothing",
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", 2*time.Hour), review("bob", "COMMENTED", headSHA, time.Hour), review("bob", "PENDING", headSHA, 0), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "same instant: the later review in the input wins",
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", time.Hour), review("bob", "DISMISSED", headSHA, time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "dave"}},
		},
		{
			name: "same instant, approval last",
			facts: func(f *Facts) {
				f.Reviews = []Review{review("bob", "DISMISSED", headSHA, time.Hour), approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "approval just outside the window",
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", 24*time.Hour+time.Second), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "dave"}},
		},
		{
			name: "approval exactly at the window edge",
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", 24*time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "approval dated in the future",
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", -time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "dave"}},
		},
		{
			name: "bot approvals do not count",
			facts: func(f *Facts) {
				f.Teams["acme/sre"] = []string{"deployer[bot]", "Renovate"}
				f.Bots = []string{"renovate"}
				f.Reviews = []Review{approve("deployer[bot]", time.Hour), approve("renovate", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "dave"}},
		},
		{
			name: "non-member approval does not count",
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("mallory", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "dave"}},
		},
		{
			name: "logins and states compare case-insensitively",
			facts: func(f *Facts) {
				f.Reviews = []Review{review("BOB", "approved", headSHA, time.Hour), review("Dave", "Approved", strings.ToUpper(headSHA), time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "BOB", sec: "Dave"}},
		},
		{
			name: "required team covered only by a person needed elsewhere",
			gate: func(g *Gate) {
				g.Controls.Teams.From = []string{"@acme/sre", "@acme/ops"}
				g.Required = []string{"@acme/security"}
				g.Quorum = 2
			},
			facts: func(f *Facts) {
				f.Teams = map[string][]string{"acme/sre": {"p1"}, "acme/ops": {"p1", "p2"}, "acme/security": {"p1"}}
				f.Reviews = []Review{approve("p1", time.Hour), approve("p2", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{"@acme/ops": "p2", sec: "p1"}},
		},
		{
			name: "one person cannot satisfy two required teams",
			gate: func(g *Gate) {
				g.Required = []string{"@acme/sre", "@acme/security"}
			},
			facts: func(f *Facts) {
				f.Teams = map[string][]string{"acme/sre": {"p1"}, "acme/security": {"p1"}}
				f.Reviews = []Review{approve("p1", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sec: "p1"}},
		},
		{
			name: "required team is a control even when not in from",
			gate: func(g *Gate) {
				g.Controls.Teams.From = []string{"@acme/sre"}
				g.Required = []string{"@acme/security"}
				g.Quorum = 1
			},
			facts: func(f *Facts) { f.Reviews = []Review{approve("bob", time.Hour)} },
			want:  outcome{StatePending, map[string]string{sre: "bob"}},
		},
		{
			name: "team absent from the facts cannot hold",
			gate: func(g *Gate) { g.Controls.Teams.From = []string{"@acme/sre", "@acme/ghost"} },
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sre: "bob"}},
		},
		{
			name: "a user is a team of one",
			gate: func(g *Gate) { g.Controls.Teams.From = []string{"@acme/sre", "@Dave"} },
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", "@Dave": "dave"}},
		},
		{
			name: "quorum below the number of controls",
			gate: func(g *Gate) { g.Quorum = 1 },
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sec: "dave"}},
		},
		{
			name: "quorum larger than the controls fails",
			gate: func(g *Gate) { g.Quorum = 3 },
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateFailure, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "zero controls fail",
			gate: func(g *Gate) { g.Controls.Teams.From = nil },
			want: outcome{StateFailure, map[string]string{}},
		},
		{
			name: "undefined required control fails",
			gate: func(g *Gate) { g.Required = []string{"ci"} },
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateFailure, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "draft is pending",
			facts: func(f *Facts) {
				f.PullRequest.Draft = true
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StatePending, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "unavailable facts fail closed",
			facts: func(f *Facts) {
				f.Unavailable = []string{"membership of acme/sre (HTTP 403)"}
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateFailure, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "unknown author fails closed",
			facts: func(f *Facts) {
				f.PullRequest.Author = ""
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateFailure, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "base branch does not match",
			gate: func(g *Gate) { g.If.Base = []string{"release/*"} },
			want: outcome{StateSkipped, map[string]string{}},
		},
		{
			name: "base branch glob matches",
			gate: func(g *Gate) { g.If.Base = []string{"release/*"} },
			facts: func(f *Facts) {
				f.PullRequest.Base = "release/1.2"
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
		{
			name: "bad base glob fails closed",
			gate: func(g *Gate) { g.If.Base = []string{"release/["} },
			want: outcome{StateFailure, map[string]string{}},
		},
		{
			name: "label missing",
			gate: func(g *Gate) { g.If.Labels = []string{"hotfix"} },
			want: outcome{StateSkipped, map[string]string{}},
		},
		{
			name: "any label matches, case-insensitively",
			gate: func(g *Gate) { g.If.Labels = []string{"hotfix", "DEPLOY"} },
			facts: func(f *Facts) {
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want: outcome{StateSuccess, map[string]string{sre: "bob", sec: "dave"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := evalGate("@acme/sre", "@acme/security")
			if tt.gate != nil {
				tt.gate(&g)
			}
			f := evalFacts()
			if tt.facts != nil {
				tt.facts(f)
			}
			d := Evaluate(&Policy{Version: 1, Gates: []Gate{g}}, f, evalNow)
			if len(d.Gates) != 1 {
				t.Fatalf("Evaluate returned %d gates, want 1", len(d.Gates))
			}
			got := outcomeOf(d.Gates[0])
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate outcome mismatch (-want +got):\n%s\nsummary: %s\nmissing: %q", diff, d.Gates[0].Summary, d.Gates[0].Missing)
			}
		})
	}
}

func TestEvaluateExpiresAt(t *testing.T) {
	tests := []struct {
		name    string
		reviews []Review
		atts    []Attestation
		want    *time.Time
	}{
		{name: "nothing held", want: nil},
		{
			name:    "the oldest counted control",
			reviews: []Review{approve("bob", 3*time.Hour), approve("dave", time.Hour)},
			atts:    []Attestation{ciAttestation(2 * time.Hour)},
			want:    ptr(evalNow.Add(21 * time.Hour)),
		},
		{
			name:    "the freshest approver of a team is preferred",
			reviews: []Review{approve("bob", 5*time.Hour), approve("carol", time.Hour)},
			want:    ptr(evalNow.Add(23 * time.Hour)),
		},
		{
			name: "attestation only",
			atts: []Attestation{ciAttestation(2 * time.Hour)},
			want: ptr(evalNow.Add(22 * time.Hour)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := evalGate("@acme/sre", "@acme/security")
			g.Controls.Attestations = []AttestationControl{ciControl()}
			f := evalFacts()
			f.Reviews = tt.reviews
			f.Attestations = tt.atts
			gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
			if diff := cmp.Diff(tt.want, gd.ExpiresAt); diff != "" {
				t.Errorf("expires_at mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestEvaluateMatchingPrefersFreshApprovals(t *testing.T) {
	// p1 (old) and p2 (fresh) are both in A and B; p3 (fresh) only in A.
	// The maximum matchings are {A:p3,B:p1}, {A:p3,B:p2}, {A:p1,B:p2},
	// {A:p2,B:p1}; the one without the old approval is {A:p3,B:p2}.
	g := evalGate("@acme/a", "@acme/b")
	f := evalFacts()
	f.Teams = map[string][]string{"acme/a": {"p1", "p2", "p3"}, "acme/b": {"p1", "p2"}}
	f.Reviews = []Review{approve("p1", 20*time.Hour), approve("p2", time.Hour), approve("p3", 2*time.Hour)}
	gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
	want := outcome{StateSuccess, map[string]string{"@acme/a": "p3", "@acme/b": "p2"}}
	if diff := cmp.Diff(want, outcomeOf(gd)); diff != "" {
		t.Errorf("matching mismatch (-want +got):\n%s", diff)
	}
}

func TestEvaluateMissing(t *testing.T) {
	g := evalGate("@acme/sre", "@acme/security")
	g.Required = []string{"@acme/security"}
	g.Quorum = 1
	f := evalFacts()
	f.Reviews = []Review{approve("bob", time.Hour)}
	gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
	want := []string{"@acme/security (required): approval from one of dave, erin"}
	if diff := cmp.Diff(want, gd.Missing); diff != "" {
		t.Errorf("missing mismatch (-want +got):\n%s", diff)
	}
	if gd.State != StatePending {
		t.Errorf("state = %s, want pending", gd.State)
	}

	g = evalGate("@acme/sre", "@acme/security")
	f.Reviews = nil
	gd = Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
	want = []string{
		"2 more controls (quorum 2 of 2)",
		"@acme/sre: approval from one of bob, carol",
		"@acme/security: approval from one of dave, erin",
	}
	if diff := cmp.Diff(want, gd.Missing); diff != "" {
		t.Errorf("missing mismatch (-want +got):\n%s", diff)
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	g := evalGate("@acme/sre", "@acme/security", "@acme/ic")
	g.Controls.Attestations = []AttestationControl{ciControl()}
	f := evalFacts()
	f.Teams["acme/ic"] = append(f.Teams["acme/ic"], "bob", "dave")
	f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour), approve("ivan", 2*time.Hour), approve("carol", time.Hour)}
	f.Attestations = []Attestation{ciAttestation(time.Hour)}
	p := &Policy{Gates: []Gate{g}}
	first := Evaluate(p, f, evalNow)
	for i := range 20 {
		// Shuffle the input order of teams' members; the decision must not
		// change.
		for _, m := range f.Teams {
			sort.Sort(sort.Reverse(sort.StringSlice(m)))
		}
		if diff := cmp.Diff(first, Evaluate(p, f, evalNow)); diff != "" {
			t.Fatalf("run %d differs (-first +now):\n%s", i, diff)
		}
	}
}

func TestEvaluateNilInputs(t *testing.T) {
	if got := Evaluate(nil, evalFacts(), evalNow); len(got.Gates) != 0 {
		t.Errorf("Evaluate(nil policy) = %+v, want no gates", got)
	}
	g := evalGate("@acme/sre")
	got := Evaluate(&Policy{Gates: []Gate{g}}, nil, evalNow)
	if len(got.Gates) != 1 || got.Gates[0].State != StateFailure {
		t.Errorf("Evaluate(nil facts) = %+v, want one failing gate", got)
	}
}

func TestErrorDecision(t *testing.T) {
	problems := ProblemList{{File: ".github/zgate.yml", Line: 3, Column: 5, Msg: "unknown key \"gatez\""}}
	got := ErrorDecision(nil, problems)
	want := Decision{Gates: []GateDecision{{
		Check:    ErrorCheckName,
		State:    StateError,
		Summary:  "the policy cannot be loaded: .github/zgate.yml:3:5: unknown key \"gatez\"",
		Controls: []ControlResult{},
		Missing:  []string{"fix .github/zgate.yml:3:5: unknown key \"gatez\""},
		Action:   ActionNone,
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ErrorDecision mismatch (-want +got):\n%s", diff)
	}
	p := &Policy{Gates: []Gate{evalGate(), {Name: "deploy"}}}
	got = ErrorDecision(p, problems)
	if len(got.Gates) != 2 || got.Gates[0].Check != "zgate/production" || got.Gates[1].State != StateError {
		t.Errorf("ErrorDecision with gates = %+v, want both gates in error", got)
	}
}
