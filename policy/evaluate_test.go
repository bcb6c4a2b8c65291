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

const (
	headSHA = "abc1234def5678"
	oldSHA  = "0ld0000c0ffee"
	ciType  = "https://zgate.dev/ci-result/v1"
	ciIss   = "https://token.actions.githubusercontent.com"
	ciID    = "https://github.com/acme/ci/.github/workflows/test.yml@refs/heads/main"
)

func evalFacts() *Facts {
	return &Facts{
		Repository: "acme/payments",
		PullRequest: PullRequest{
			Number: 42, Author: "alice", Base: "main", HeadSHA: headSHA,
			Labels: []string{"deploy"}, ChangedFiles: []string{"deploy/prod/app.yaml"},
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

func TestEvaluateAttestations(t *testing.T) {
	tests := []struct {
		name  string
		atts  []Attestation
		rej   []RejectedAttestation
		want  bool
		notes int
	}{
		{name: "verified for the head", atts: []Attestation{ciAttestation(time.Hour)}, want: true},
		{
			name: "for another commit",
			atts: []Attestation{func() Attestation { a := ciAttestation(time.Hour); a.Commit = oldSHA; return a }()},
			want: false, notes: 1,
		},
		{
			name: "from another identity",
			atts: []Attestation{func() Attestation {
				a := ciAttestation(time.Hour)
				a.Identity = "https://github.com/mallory/ci/.github/workflows/test.yml@refs/heads/main"
				return a
			}()},
			want: false, notes: 1,
		},
		{
			name: "identity must match the whole string",
			atts: []Attestation{func() Attestation { a := ciAttestation(time.Hour); a.Identity += "-evil"; return a }()},
			want: false, notes: 1,
		},
		{
			name: "from another issuer",
			atts: []Attestation{func() Attestation { a := ciAttestation(time.Hour); a.Issuer = "https://evil.example"; return a }()},
			want: false, notes: 1,
		},
		{
			name: "other predicate types are ignored",
			atts: []Attestation{func() Attestation {
				a := ciAttestation(time.Hour)
				a.PredicateType = "https://slsa.dev/provenance/v1"
				return a
			}()},
			want: false,
		},
		{name: "outside the window", atts: []Attestation{ciAttestation(25 * time.Hour)}, want: false, notes: 1},
		{name: "exactly at the window edge", atts: []Attestation{ciAttestation(24 * time.Hour)}, want: true},
		{name: "inside the clock skew", atts: []Attestation{ciAttestation(-time.Minute)}, want: true},
		{name: "in the future", atts: []Attestation{ciAttestation(-time.Hour)}, want: false, notes: 1},
		{
			name: "rejected attestations are explained",
			rej:  []RejectedAttestation{{Source: "sha256:1234", Reason: "certificate chain does not verify"}},
			want: false, notes: 1,
		},
		{
			name: "one good among bad ones",
			atts: []Attestation{func() Attestation { a := ciAttestation(time.Hour); a.Commit = oldSHA; return a }(), ciAttestation(2 * time.Hour)},
			want: true, notes: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := evalGate()
			g.Controls.Attestations = []AttestationControl{ciControl()}
			f := evalFacts()
			f.Attestations = tt.atts
			f.RejectedAttestations = tt.rej
			gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
			if len(gd.Controls) != 1 {
				t.Fatalf("got %d controls, want 1: %+v", len(gd.Controls), gd.Controls)
			}
			c := gd.Controls[0]
			if c.Held != tt.want {
				t.Errorf("held = %v (%s), want %v", c.Held, c.Reason, tt.want)
			}
			if len(c.Notes) != tt.notes {
				t.Errorf("notes = %q, want %d of them", c.Notes, tt.notes)
			}
			wantState := StatePending
			if tt.want {
				wantState = StateSuccess
			}
			if gd.State != wantState {
				t.Errorf("state = %s, want %s", gd.State, wantState)
			}
		})
	}
}

func TestEvaluateIdentityWithoutCompiledRE(t *testing.T) {
	g := evalGate()
	c := ciControl()
	c.IdentityRE = nil
	g.Controls.Attestations = []AttestationControl{c}
	f := evalFacts()
	f.Attestations = []Attestation{ciAttestation(time.Hour)}
	if got := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0].State; got != StateSuccess {
		t.Errorf("state = %s, want success (Identity compiled and anchored on demand)", got)
	}
	c.Identity = "("
	g.Controls.Attestations = []AttestationControl{c}
	if got := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0].State; got != StatePending {
		t.Errorf("state with a bad identity regex = %s, want pending", got)
	}
}

func TestEvaluateOverride(t *testing.T) {
	cmt := func(user, body string, ago time.Duration) Comment {
		return Comment{User: user, Body: body, CreatedAt: evalNow.Add(-ago)}
	}
	tests := []struct {
		name     string
		comments []Comment
		reviews  []Review
		want     State
		wantBy   []string
	}{
		{
			name:     "two members override",
			comments: []Comment{cmt("ivan", "/zgate override db is down", time.Hour), cmt("judy", "agreed\n/zgate override  rollback needed ", time.Hour)},
			want:     StateSuccess, wantBy: []string{"ivan", "judy"},
		},
		{
			name:     "one member is not enough",
			comments: []Comment{cmt("ivan", "/zgate override db is down", time.Hour)},
			want:     StatePending,
		},
		{
			name:     "the same person twice counts once",
			comments: []Comment{cmt("ivan", "/zgate override db is down", 2*time.Hour), cmt("IVAN", "/zgate override really", time.Hour)},
			want:     StatePending,
		},
		{
			name:     "the author cannot override",
			comments: []Comment{cmt("ivan", "/zgate override db is down", time.Hour), cmt("alice", "/zgate override me too", time.Hour)},
			want:     StatePending,
		},
		{
			name:     "an empty reason does not count",
			comments: []Comment{cmt("ivan", "/zgate override db is down", time.Hour), cmt("judy", "/zgate override   ", time.Hour)},
			want:     StatePending,
		},
		{
			name:     "the command must start a line",
			comments: []Comment{cmt("ivan", "/zgate override db is down", time.Hour), cmt("judy", "please /zgate override now", time.Hour)},
			want:     StatePending,
		},
		{
			name:     "a longer command word is not the command",
			comments: []Comment{cmt("ivan", "/zgate override db is down", time.Hour), cmt("judy", "/zgate overrides now", time.Hour)},
			want:     StatePending,
		},
		{
			name:     "non-members do not count",
			comments: []Comment{cmt("ivan", "/zgate override db is down", time.Hour), cmt("bob", "/zgate override yes", time.Hour)},
			want:     StatePending,
		},
		{
			name:     "outside the window",
			comments: []Comment{cmt("ivan", "/zgate override db is down", 25*time.Hour), cmt("judy", "/zgate override yes", time.Hour)},
			want:     StatePending,
		},
		{
			name:     "override bypasses changes requested",
			comments: []Comment{cmt("ivan", "/zgate override db is down", time.Hour), cmt("judy", "/zgate override yes", time.Hour)},
			reviews:  []Review{review("bob", "CHANGES_REQUESTED", headSHA, time.Hour)},
			want:     StateSuccess, wantBy: []string{"ivan", "judy"},
		},
		{
			name:     "without override, changes requested fails",
			comments: []Comment{cmt("ivan", "/zgate override db is down", time.Hour)},
			reviews:  []Review{review("bob", "CHANGES_REQUESTED", headSHA, time.Hour)},
			want:     StateFailure,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := evalGate("@acme/sre", "@acme/security")
			g.Override = &Override{Teams: []string{"@acme/ic"}, Approvals: 2}
			f := evalFacts()
			f.Comments = tt.comments
			f.Reviews = tt.reviews
			gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
			if gd.State != tt.want {
				t.Errorf("state = %s (%s), want %s", gd.State, gd.Summary, tt.want)
			}
			var gotBy []string
			if gd.Override != nil {
				gotBy = gd.Override.By
			}
			if diff := cmp.Diff(tt.wantBy, gotBy); diff != "" {
				t.Errorf("override.By mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateOverrideReasons(t *testing.T) {
	g := evalGate("@acme/sre")
	g.Override = &Override{Teams: []string{"@acme/ic"}, Approvals: 2}
	f := evalFacts()
	f.Comments = []Comment{
		{User: "judy", Body: "/zgate override rollback", CreatedAt: evalNow.Add(-3 * time.Hour)},
		{User: "ivan", Body: "/zgate override db is down", CreatedAt: evalNow.Add(-time.Hour)},
	}
	gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
	want := &OverrideResult{By: []string{"ivan", "judy"}, Reasons: []string{"db is down", "rollback"}}
	if diff := cmp.Diff(want, gd.Override); diff != "" {
		t.Errorf("override mismatch (-want +got):\n%s", diff)
	}
	wantExp := evalNow.Add(-3 * time.Hour).Add(24 * time.Hour)
	if gd.ExpiresAt == nil || !gd.ExpiresAt.Equal(wantExp) {
		t.Errorf("expires_at = %v, want %v", gd.ExpiresAt, wantExp)
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

func TestEvaluateOverrideMissing(t *testing.T) {
	g := evalGate("@acme/sre")
	g.Override = &Override{Teams: []string{"@acme/ic"}, Approvals: 2}
	f := evalFacts()
	f.Comments = []Comment{{User: "ivan", Body: "/zgate override db is down", CreatedAt: evalNow.Add(-time.Hour)}}
	gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
	want := []string{
		"1 more control (quorum 1 of 1)",
		"@acme/sre: approval from one of bob, carol",
		`or break glass: 1 more "/zgate override <reason>" comment from judy`,
	}
	if diff := cmp.Diff(want, gd.Missing); diff != "" {
		t.Errorf("missing mismatch (-want +got):\n%s", diff)
	}
}
