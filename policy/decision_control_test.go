package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// decisionPolicy is a policy whose one gate has the decision control
// written as body (indented under controls).
func decisionPolicy(body string) string {
	return "version: 1\ngates:\n  - name: deploy\n    controls:\n      teams:\n        from: []\n" + body
}

func TestParseDecision(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *DecisionControl
		errs []problemAt
	}{
		{
			name: "valid",
			body: "      decision: {repository: acme/app, gate: production, key: .github/decision.pub}\n",
			want: &DecisionControl{Repository: "acme/app", Gate: "production", Key: ".github/decision.pub", Line: 7},
		},
		{
			name: "block form",
			body: "      decision:\n        repository: acme/app\n        gate: production\n        key: keys/zgate.pub\n",
			want: &DecisionControl{Repository: "acme/app", Gate: "production", Key: "keys/zgate.pub", Line: 8},
		},
		{
			name: "missing fields",
			body: "      decision: {repository: acme/app}\n",
			errs: []problemAt{{7, 17, "controls.decision: missing gate"}, {7, 17, "controls.decision: missing key"}},
		},
		{
			name: "unknown key",
			body: "      decision: {repository: acme/app, gate: production, key: k.pub, identity: x}\n",
			errs: []problemAt{{7, 70, `controls.decision: unknown key "identity"; want one of repository, gate, key`}},
		},
		{
			name: "not a mapping",
			body: "      decision: acme/app\n",
			errs: []problemAt{{7, 17, `controls.decision: want a mapping, got a string ("acme/app")`}},
		},
		{
			name: "repository URL",
			body: "      decision: {repository: \"https://github.com/acme/app\", gate: production, key: k.pub}\n",
			errs: []problemAt{{7, 30, `controls.decision.repository: "https://github.com/acme/app": want owner/repo`}},
		},
		{
			name: "repository dot name",
			body: "      decision: {repository: acme/.., gate: production, key: k.pub}\n",
			errs: []problemAt{{7, 30, `controls.decision.repository: "acme/..": want owner/repo`}},
		},
		{
			name: "gate not a gate name",
			body: "      decision: {repository: acme/app, gate: Prod, key: k.pub}\n",
			errs: []problemAt{{7, 46, `controls.decision.gate: "Prod" is not a gate name: lower-case letters, digits and '-'`}},
		},
		{
			name: "absolute key path",
			body: "      decision: {repository: acme/app, gate: production, key: /etc/k.pub}\n",
			errs: []problemAt{{7, 63, `controls.decision.key: "/etc/k.pub": want a path relative to the repository root`}},
		},
		{
			name: "key path escapes",
			body: "      decision: {repository: acme/app, gate: production, key: ../k.pub}\n",
			errs: []problemAt{{7, 63, `controls.decision.key: "../k.pub": want a clean path inside the repository (no ., .. or double slash)`}},
		},
		{
			name: "key path unclean",
			body: "      decision: {repository: acme/app, gate: production, key: a//k.pub}\n",
			errs: []problemAt{{7, 63, `controls.decision.key: "a//k.pub": want a clean path inside the repository (no ., .. or double slash)`}},
		},
		{
			name: "empty key",
			body: "      decision: {repository: acme/app, gate: production, key: \"\"}\n",
			errs: []problemAt{{7, 63, `controls.decision.key: empty string`}},
		},
		{
			name: "gate a number",
			body: "      decision: {repository: acme/app, gate: [a], key: k.pub}\n",
			errs: []problemAt{{7, 46, `controls.decision.gate: want a string, got a list`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("zgate.yml", []byte(decisionPolicy(tt.body)))
			if tt.errs != nil {
				var problems ProblemList
				if !errors.As(err, &problems) {
					t.Fatalf("Parse = %v, want problems %v", err, tt.errs)
				}
				var got []problemAt
				for _, pr := range problems {
					got = append(got, problemAt{pr.Line, pr.Column, pr.Msg})
				}
				if diff := cmp.Diff(tt.errs, got); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, p.Gates[0].Controls.Decision); diff != "" {
				t.Errorf("decision control (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseDecisionRequired: the decision control counts toward the
// quorum and can be required by its id.
func TestParseDecisionRequired(t *testing.T) {
	base := decisionPolicy("      decision: {repository: acme/app, gate: production, key: k.pub}\n")
	if _, err := Parse("zgate.yml", []byte(base+"    required: [\"decision:acme/app/production\"]\n    quorum: 1\n")); err != nil {
		t.Errorf("required decision id: %v", err)
	}
	_, err := Parse("zgate.yml", []byte(base+"    quorum: 2\n"))
	if err == nil || !strings.Contains(err.Error(), "quorum: 2 is more than the 1 control of this gate (0 teams, 0 attestations, 1 decision)") {
		t.Errorf("quorum 2 with one decision control: %v", err)
	}
	_, err = Parse("zgate.yml", []byte(base+"    required: [\"decision:acme/app/staging\"]\n"))
	if err == nil || !strings.Contains(err.Error(), `unknown control "decision:acme/app/staging"`) {
		t.Errorf("required decision of another gate: %v", err)
	}
}

// FuzzParseDecision checks that any decision control the parser accepts
// is well-formed (owner/repo, a gate name, a clean relative key path),
// that every rejection is located, and that Parse never panics.
func FuzzParseDecision(f *testing.F) {
	for _, s := range [][3]string{
		{"acme/app", "production", ".github/decision.pub"},
		{"acme/..", "prod", "k.pub"},
		{"a/b", "Prod", "/abs"},
		{"a/b/c", "x", "../k"},
		{"", "", ""},
		{"a/b", "g", "a//b"},
		{"a/b", "g", "a\x00b"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, repo, gate, key string) {
		if !utf8.ValidString(repo + gate + key) {
			return // %q would write \x escapes, which YAML reads as code points
		}
		body := fmt.Sprintf("      decision: {repository: %q, gate: %q, key: %q}\n", repo, gate, key)
		p, err := Parse("zgate.yml", []byte(decisionPolicy(body)))
		if err != nil {
			var problems ProblemList
			if !errors.As(err, &problems) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse error %v is not a located ProblemList", err)
			}
			for _, pr := range problems {
				if pr.Line <= 0 || pr.Column <= 0 {
					t.Fatalf("problem without a position: %+v", pr)
				}
			}
			return
		}
		c := p.Gates[0].Controls.Decision
		if c == nil {
			t.Fatal("accepted without a decision control")
		}
		if c.Repository != repo || c.Gate != gate || c.Key != key {
			t.Fatalf("decoded %+v from %q %q %q", c, repo, gate, key)
		}
		if !repositoryPathRE.MatchString(repo) || !gateNameRE.MatchString(gate) || badKeyPath(key) != "" {
			t.Fatalf("accepted a bad control %+v", c)
		}
	})
}

const appSHA = "abc1234def5678" // the head of evalFacts

// signedDecision is a verified decision of acme/app's production gate
// about the head, decided ago before evalNow and timestamped a second
// later.
func signedDecision(ago time.Duration, edit ...func(*SignedDecision)) SignedDecision {
	sd := SignedDecision{
		Repository: "acme/app", Gate: "production", Key: ".github/decision.pub", PullRequest: 7,
		Commit: appSHA, DecidedAt: evalNow.Add(-ago), SignedAt: evalNow.Add(-ago + time.Second),
		Digest: "sha256:00",
	}
	for _, e := range edit {
		e(&sd)
	}
	return sd
}

func decisionGate() Gate {
	g := evalGate()
	g.Controls.Decision = &DecisionControl{Repository: "acme/app", Gate: "production", Key: ".github/decision.pub"}
	return g
}

// TestEvaluateDecision: only a verified decision of the control's
// repository and gate, verified with its key, about the head and inside
// the window counts; a failed lookup fails the gate closed.
func TestEvaluateDecision(t *testing.T) {
	tests := []struct {
		name      string
		decisions []SignedDecision
		rejected  []RejectedDecision
		state     State
		notes     int
	}{
		{name: "none", state: StatePending},
		{name: "valid", decisions: []SignedDecision{signedDecision(time.Hour)}, state: StateSuccess},
		{name: "repository case-insensitive", decisions: []SignedDecision{signedDecision(time.Hour, func(s *SignedDecision) { s.Repository = "ACME/App" })}, state: StateSuccess, notes: 0},
		{name: "another commit", decisions: []SignedDecision{signedDecision(time.Hour, func(s *SignedDecision) { s.Commit = oldSHA })}, state: StatePending, notes: 1},
		{name: "another gate", decisions: []SignedDecision{signedDecision(time.Hour, func(s *SignedDecision) { s.Gate = "staging" })}, state: StatePending},
		{name: "another repository", decisions: []SignedDecision{signedDecision(time.Hour, func(s *SignedDecision) { s.Repository = "mallory/app" })}, state: StatePending},
		{name: "another key", decisions: []SignedDecision{signedDecision(time.Hour, func(s *SignedDecision) { s.Key = "other.pub" })}, state: StatePending, notes: 1},
		{name: "replayed outside the window", decisions: []SignedDecision{signedDecision(25 * time.Hour)}, state: StatePending, notes: 1},
		{name: "old decision timestamped now", decisions: []SignedDecision{signedDecision(25*time.Hour, func(s *SignedDecision) { s.SignedAt = evalNow })}, state: StatePending, notes: 1},
		{name: "backdated timestamp", decisions: []SignedDecision{signedDecision(time.Hour, func(s *SignedDecision) { s.SignedAt = evalNow.Add(-30 * time.Hour) })}, state: StatePending, notes: 1},
		{name: "in the future", decisions: []SignedDecision{signedDecision(-time.Hour)}, state: StatePending, notes: 1},
		{name: "no signing time", decisions: []SignedDecision{signedDecision(time.Hour, func(s *SignedDecision) { s.SignedAt = time.Time{} })}, state: StatePending, notes: 1},
		{
			name:     "altered bundle is explained",
			rejected: []RejectedDecision{{Repository: "acme/app", Gate: "production", Key: ".github/decision.pub", Source: "sha256:ff", Reason: "signature does not verify"}},
			state:    StatePending, notes: 1,
		},
		{
			name:      "lookup failed fails closed",
			decisions: []SignedDecision{signedDecision(time.Hour)},
			rejected:  []RejectedDecision{{Repository: "acme/app", Gate: "production", Key: ".github/decision.pub", Source: "acme/app", Reason: "not readable", Unavailable: true}},
			state:     StateFailure,
		},
		{
			name:     "another control's failure is not this gate's",
			rejected: []RejectedDecision{{Repository: "acme/web", Gate: "production", Key: ".github/decision.pub", Reason: "not readable", Unavailable: true}},
			state:    StatePending,
		},
		{name: "one good among bad", decisions: []SignedDecision{signedDecision(time.Hour, func(s *SignedDecision) { s.Commit = oldSHA }), signedDecision(2 * time.Hour)}, state: StateSuccess, notes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := evalFacts()
			f.Decisions, f.RejectedDecisions = tt.decisions, tt.rejected
			gd := Evaluate(&Policy{Gates: []Gate{decisionGate()}}, f, evalNow).Gates[0]
			if gd.State != tt.state {
				t.Fatalf("state = %s (%s), want %s", gd.State, gd.Summary, tt.state)
			}
			if tt.state == StateFailure {
				if !strings.Contains(gd.Summary, "could not be checked: not readable") {
					t.Errorf("summary %q does not say why", gd.Summary)
				}
				return
			}
			cr := gd.Controls[0]
			if cr.ID != "decision:acme/app/production" || cr.Kind != ControlDecision {
				t.Errorf("control %s kind %s", cr.ID, cr.Kind)
			}
			if len(cr.Notes) != tt.notes {
				t.Errorf("notes = %q, want %d", cr.Notes, tt.notes)
			}
			if tt.state == StatePending && (len(gd.Missing) == 0 || !strings.Contains(strings.Join(gd.Missing, "\n"), "a signed decision of gate production in acme/app about the head abc1234, verifiable with .github/decision.pub")) {
				t.Errorf("missing = %q", gd.Missing)
			}
			if tt.state == StateSuccess {
				if cr.At == nil || gd.ExpiresAt == nil || !gd.ExpiresAt.Equal(cr.At.Add(24*time.Hour)) {
					t.Errorf("at %v, expires %v: want the decision time plus the window", cr.At, gd.ExpiresAt)
				}
				if !strings.Contains(strings.ToLower(cr.Reason), "acme/app gate production decided abc1234 (pull request #7)") {
					t.Errorf("reason %q", cr.Reason)
				}
			}
		})
	}
}

// TestEvaluateDecisionWithTeams: the decision is one control among the
// teams', counted once toward the quorum.
func TestEvaluateDecisionWithTeams(t *testing.T) {
	g := decisionGate()
	g.Controls.Teams.From = []string{"@acme/sre"}
	g.Quorum = 2
	f := evalFacts()
	f.Reviews = []Review{approve("bob", time.Hour)}
	if gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]; gd.State != StatePending {
		t.Errorf("team alone: %s (%s), want pending", gd.State, gd.Summary)
	}
	f.Decisions = []SignedDecision{signedDecision(time.Hour), signedDecision(2 * time.Hour)}
	gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
	if gd.State != StateSuccess || len(gd.Controls) != 2 {
		t.Errorf("team and decision: %s (%s) with %d controls, want success with 2", gd.State, gd.Summary, len(gd.Controls))
	}
}
