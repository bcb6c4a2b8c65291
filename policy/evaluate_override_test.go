package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

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

// FuzzOverrideReason checks the override command parser: a reason is
// returned only from a line that starts with the command and a blank, and
// it is non-empty and trimmed.
func FuzzOverrideReason(f *testing.F) {
	for _, seed := range []string{
		"/zgate override db is down",
		"lgtm\n/zgate override  INC-1 \r\nthanks",
		"  /zgate override\tpager",
		"/zgate override",
		"/zgate overrides x",
		"please /zgate override now",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		reason, ok := overrideReason(body)
		if !ok {
			if reason != "" {
				t.Errorf("overrideReason(%q) = %q without ok", body, reason)
			}
			return
		}
		if reason == "" || reason != strings.TrimSpace(reason) {
			t.Errorf("overrideReason(%q) = %q, want a non-empty trimmed reason", body, reason)
		}
		found := false
		for line := range strings.SplitSeq(body, "\n") {
			rest, cut := strings.CutPrefix(strings.TrimSpace(line), overrideCommand)
			if cut && rest != "" && (rest[0] == ' ' || rest[0] == '\t') && strings.Contains(rest, reason) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("overrideReason(%q) = %q, not from a command line", body, reason)
		}
	})
}
