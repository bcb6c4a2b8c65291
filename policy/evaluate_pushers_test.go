package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEvaluatePushers: whoever pushed to the pull request counts as an
// author: their approval does not count, and the explanation says why.
func TestEvaluatePushers(t *testing.T) {
	const otherHead = "5eed000aaaa111"
	tests := []struct {
		name    string
		rule    PusherRule
		pushers []Pusher
		reviews []Review
		want    State
		// wantNote is part of the @acme/sre control's reason.
		wantNote string
	}{
		{
			name:    "no pushers: two approvals hold",
			reviews: []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:    StateSuccess,
		},
		{
			name:     "the pusher of the head cannot approve",
			pushers:  []Pusher{{Login: "alice", HeadSHA: oldSHA}, {Login: "bob", HeadSHA: headSHA}},
			reviews:  []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:     StatePending,
			wantNote: "bob pushed to this pull request (its head abc1234), so counts as an author (a pusher's approval does not count)",
		},
		{
			name:     "logins compare case-insensitively",
			pushers:  []Pusher{{Login: "BOB", HeadSHA: headSHA}},
			reviews:  []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:     StatePending,
			wantNote: "pushed to this pull request",
		},
		{
			name:     "all: an earlier pusher cannot approve either",
			pushers:  []Pusher{{Login: "bob", HeadSHA: oldSHA}, {Login: "alice", HeadSHA: headSHA}},
			reviews:  []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:     StatePending,
			wantNote: "bob pushed to this pull request, so counts as an author (a pusher's approval does not count)",
		},
		{
			name:     "the empty rule means all",
			rule:     "",
			pushers:  []Pusher{{Login: "bob", HeadSHA: oldSHA}},
			reviews:  []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:     StatePending,
			wantNote: "bob pushed to this pull request",
		},
		{
			name:    "head: an earlier pusher may approve the head",
			rule:    PushersHead,
			pushers: []Pusher{{Login: "bob", HeadSHA: oldSHA}, {Login: "alice", HeadSHA: headSHA}},
			reviews: []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:    StateSuccess,
		},
		{
			name:     "head: the pusher of the head cannot approve",
			rule:     PushersHead,
			pushers:  []Pusher{{Login: "bob", HeadSHA: headSHA}},
			reviews:  []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:     StatePending,
			wantNote: "bob pushed to this pull request (its head abc1234)",
		},
		{
			name:     "the head pushed through another pull request",
			pushers:  []Pusher{{Login: "bob", HeadSHA: headSHA, Via: "#7"}},
			reviews:  []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:     StatePending,
			wantNote: "bob pushed the head commit abc1234 (via #7), so counts as an author",
		},
		{
			name:     "head rule: the head pushed through another pull request",
			rule:     PushersHead,
			pushers:  []Pusher{{Login: "bob", HeadSHA: strings.ToUpper(headSHA), Via: "#7"}},
			reviews:  []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:     StatePending,
			wantNote: "via #7",
		},
		{
			name:    "another pull request's other head does not count",
			pushers: []Pusher{{Login: "bob", HeadSHA: otherHead, Via: "#7"}},
			reviews: []Review{review("bob", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:    StateSuccess,
		},
		{
			name:    "a pusher's changes request still blocks",
			pushers: []Pusher{{Login: "bob", HeadSHA: headSHA}},
			reviews: []Review{review("bob", "CHANGES_REQUESTED", headSHA, time.Hour), review("carol", "APPROVED", headSHA, time.Hour), review("dave", "APPROVED", headSHA, time.Hour)},
			want:    StateFailure,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := evalGate("@acme/sre", "@acme/security")
			g.Quorum = 2
			g.Pushers = tt.rule
			f := evalFacts()
			f.Pushers = tt.pushers
			f.Reviews = tt.reviews
			gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
			if gd.State != tt.want {
				t.Errorf("state = %s (%s), want %s", gd.State, gd.Summary, tt.want)
			}
			if tt.wantNote == "" {
				return
			}
			var reason string
			for _, c := range gd.Controls {
				if c.ID == "@acme/sre" {
					reason = c.Reason
				}
			}
			if !strings.Contains(reason, tt.wantNote) {
				t.Errorf("@acme/sre reason = %q, want it to contain %q", reason, tt.wantNote)
			}
		})
	}
}

// TestEvaluatePushersMissing: a pusher is not offered as a candidate.
func TestEvaluatePushersMissing(t *testing.T) {
	g := evalGate("@acme/sre")
	f := evalFacts()
	f.Pushers = []Pusher{{Login: "carol", HeadSHA: headSHA}}
	gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
	want := []string{"1 more control (quorum 1 of 1)", "@acme/sre: approval from one of bob"}
	if diff := cmp.Diff(want, gd.Missing); diff != "" {
		t.Errorf("missing mismatch (-want +got):\n%s", diff)
	}
}

// TestEvaluateOverrideBinding: an override holds only for the head that
// was current when it was posted, never when edited, and never from a
// pusher.
func TestEvaluateOverrideBinding(t *testing.T) {
	at := func(d time.Duration) *time.Time { v := evalNow.Add(d); return &v }
	cmt := func(user string, ago time.Duration) Comment {
		return Comment{User: user, Body: "/zgate override db is down", CreatedAt: evalNow.Add(-ago)}
	}
	edited := func(c Comment, after time.Duration) Comment {
		u := c.CreatedAt.Add(after)
		c.UpdatedAt = &u
		return c
	}
	tests := []struct {
		name     string
		seen     *time.Time
		pushers  []Pusher
		comments []Comment
		want     State
		wantNote string
	}{
		{
			name:     "both after the head was seen",
			seen:     at(-3 * time.Hour),
			comments: []Comment{cmt("ivan", 2*time.Hour), cmt("judy", time.Hour)},
			want:     StateSuccess,
		},
		{
			name:     "made exactly when the head was seen",
			seen:     at(-2 * time.Hour),
			comments: []Comment{cmt("ivan", 2*time.Hour), cmt("judy", time.Hour)},
			want:     StateSuccess,
		},
		{
			name:     "one given on an earlier head",
			seen:     at(-90 * time.Minute),
			comments: []Comment{cmt("ivan", 2*time.Hour), cmt("judy", time.Hour)},
			want:     StatePending,
			wantNote: "ivan's override does not count: made at 2026-11-24T10:00:00Z, before the head abc1234 was first seen at 2026-11-24T10:30:00Z",
		},
		{
			name:     "unknown head time: no override counts",
			comments: []Comment{cmt("ivan", 2*time.Hour), cmt("judy", time.Hour)},
			want:     StatePending,
			wantNote: "when the head abc1234 was first seen is unknown",
		},
		{
			name:     "an edited override does not count",
			seen:     at(-3 * time.Hour),
			comments: []Comment{cmt("ivan", 2*time.Hour), edited(cmt("judy", time.Hour), time.Minute)},
			want:     StatePending,
			wantNote: "judy's override does not count: edited at 2026-11-24T11:01:00Z",
		},
		{
			name:     "updated_at equal to created_at is not an edit",
			seen:     at(-3 * time.Hour),
			comments: []Comment{cmt("ivan", 2*time.Hour), edited(cmt("judy", time.Hour), 0)},
			want:     StateSuccess,
		},
		{
			name:     "a pusher cannot override",
			seen:     at(-3 * time.Hour),
			pushers:  []Pusher{{Login: "judy", HeadSHA: oldSHA}},
			comments: []Comment{cmt("ivan", 2*time.Hour), cmt("judy", time.Hour)},
			want:     StatePending,
			wantNote: "judy pushed to this pull request, so counts as an author and cannot override",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := evalGate("@acme/sre")
			g.Override = &Override{Teams: []string{"@acme/ic"}, Approvals: 2}
			f := evalFacts()
			f.PullRequest.HeadSeenAt = tt.seen
			f.Pushers = tt.pushers
			f.Comments = tt.comments
			gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
			if gd.State != tt.want {
				t.Errorf("state = %s (%s), want %s", gd.State, gd.Summary, tt.want)
			}
			if tt.wantNote == "" {
				return
			}
			if notes := strings.Join(gd.Notes, "\n"); !strings.Contains(notes, tt.wantNote) {
				t.Errorf("notes = %q, want one containing %q", notes, tt.wantNote)
			}
		})
	}
}
