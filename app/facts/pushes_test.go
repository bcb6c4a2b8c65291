package facts

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// TestStorePushes: pushers come from the recorded deliveries of this pull
// request (any head) and of its head anywhere in the repository; the head
// was first seen at its earliest sighting on this pull request, and an
// evaluation that sees a head first records the sighting.
func TestStorePushes(t *testing.T) {
	w := newWorld(t, nil, nil)
	ctx := t.Context()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pr, _, err := w.gh.PullRequests.Get(ctx, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	repoID := pr.GetBase().GetRepo().GetID()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, p := range []store.Push{
		{RepoID: repoID, Number: w.pr, HeadSHA: "0ld", Sender: "bob", SeenAt: t0.Add(-time.Hour)},
		{RepoID: repoID, Number: w.pr, HeadSHA: w.head, Sender: "alice", SeenAt: t0},
		{RepoID: repoID, Number: w.pr + 5, HeadSHA: w.head, Sender: "carol", SeenAt: t0.Add(-2 * time.Hour)},
		{RepoID: repoID, Number: 0, HeadSHA: w.head, Sender: "dave", SeenAt: t0.Add(-3 * time.Hour)},
		{RepoID: repoID, Number: w.pr + 5, HeadSHA: "other", Sender: "erin", SeenAt: t0},
	} {
		if err := st.RecordPush(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := StorePushes{Store: st}.Pushes(ctx, w.gh, pr, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := PushFacts{
		Pushers: []policy.Pusher{
			{Login: "dave", HeadSHA: w.head, Via: "a push to a branch"},
			{Login: "carol", HeadSHA: w.head, Via: "#" + itoa(w.pr+5)},
			{Login: "bob", HeadSHA: "0ld"},
			{Login: "alice", HeadSHA: w.head},
		},
		HeadSeenAt: &t0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Pushes() mismatch (-want +got):\n%s", diff)
	}

	// A head no delivery named: this evaluation is its first sighting.
	pr.Head.SHA = ptr("feedface")
	seen := t0.Add(2 * time.Minute)
	got, err = StorePushes{Store: st}.Pushes(ctx, w.gh, pr, seen)
	if err != nil {
		t.Fatal(err)
	}
	if got.HeadSeenAt == nil || !got.HeadSeenAt.Equal(seen) {
		t.Errorf("head seen at %v, want %v (this evaluation)", got.HeadSeenAt, seen)
	}
	got, err = StorePushes{Store: st}.Pushes(ctx, w.gh, pr, seen.Add(time.Hour))
	if err != nil || got.HeadSeenAt == nil || !got.HeadSeenAt.Equal(seen) {
		t.Errorf("second evaluation: head seen at %v, %v; want %v (the first)", got.HeadSeenAt, err, seen)
	}

	// The head comes back (A, B, then A again): its tenure starts anew, so
	// an override given while B was the head does not hold for A.
	back := t0.Add(3 * time.Minute)
	if err := st.RecordPush(ctx, store.Push{RepoID: repoID, Number: w.pr, HeadSHA: w.head, Sender: "alice", SeenAt: back}); err != nil {
		t.Fatal(err)
	}
	pr.Head.SHA = ptr(w.head)
	got, err = StorePushes{Store: st}.Pushes(ctx, w.gh, pr, back.Add(time.Minute))
	if err != nil || got.HeadSeenAt == nil || !got.HeadSeenAt.Equal(back) {
		t.Errorf("head back: seen at %v, %v; want %v (its return), not %v", got.HeadSeenAt, err, back, t0)
	}
}

// TestHeadTenure: the current head counts as seen from its first sighting
// after the latest sighting of another head of the pull request.
func TestHeadTenure(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	row := func(n int, head, sender string, first, last int) store.Push {
		return store.Push{RepoID: 1, Number: n, HeadSHA: head, Sender: sender, SeenAt: at(first), LastSeenAt: at(last)}
	}
	tests := []struct {
		name string
		rows []store.Push
		want *time.Time
	}{
		{"no rows", nil, nil},
		{"one sighting", []store.Push{row(1, "a", "alice", 5, 5)}, ptr(at(5))},
		{"earliest of two", []store.Push{row(1, "a", "alice", 5, 9), row(1, "a", "", 3, 3)}, ptr(at(3))},
		{"after the previous head", []store.Push{row(1, "a", "alice", 0, 0), row(1, "b", "bob", 4, 4)}, nil},
		{"linear history", []store.Push{row(1, "o", "alice", 0, 0), row(1, "a", "bob", 4, 4)}, ptr(at(4))},
		{"back again", []store.Push{row(1, "a", "alice", 0, 9), row(1, "b", "bob", 4, 4)}, ptr(at(9))},
		{"back, first newer", []store.Push{row(1, "a", "alice", 0, 0), row(1, "b", "bob", 4, 4), row(1, "a", "", 6, 6)}, ptr(at(6))},
		{"other pull requests do not count", []store.Push{row(1, "a", "alice", 5, 5), row(2, "b", "bob", 8, 8), row(0, "c", "eve", 9, 9)}, ptr(at(5))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := headTenure(tt.rows, 1, "a")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("headTenure() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGatherPushersUnavailable: an unreadable push source fails closed.
func TestGatherPushersUnavailable(t *testing.T) {
	w := newWorld(t, nil, nil)
	g := &Gatherer{Pushes: failingPushes{}}
	res, err := g.Gather(t.Context(), w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Facts.Unavailable) != 1 || !strings.Contains(res.Facts.Unavailable[0], "who pushed") {
		t.Errorf("unavailable = %q, want the pushers", res.Facts.Unavailable)
	}
}

// TestSuitePushes: the Action's source dates the head by its earliest
// check suite (one second later: GitHub's seconds) and knows the event's
// pusher only.
func TestSuitePushes(t *testing.T) {
	w := newWorld(t, nil, nil)
	ctx := t.Context()
	before := time.Now().UTC().Truncate(time.Second)
	head2, err := w.env.Sim.Push(owner, repoName, "feature", map[string]string{"deploy/prod/app.yaml": "replicas: 4\n"}, nil, "carol")
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC()
	g := &Gatherer{Pushes: SuitePushes{Event: &EventPush{Number: w.pr, HeadSHA: head2, Sender: "carol"}}}
	res, err := g.Gather(ctx, w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Facts
	if diff := cmp.Diff([]policy.Pusher{{Login: "carol", HeadSHA: head2}}, f.Pushers); diff != "" {
		t.Errorf("pushers mismatch (-want +got):\n%s", diff)
	}
	seen := f.PullRequest.HeadSeenAt
	if seen == nil || seen.Before(before.Add(time.Second)) || seen.After(after.Add(time.Second)) {
		t.Errorf("head seen at %v, want one second after the push, in [%v, %v]", seen, before, after)
	}
	// Another pull request's event names no pusher of this one.
	g.Pushes = SuitePushes{Event: &EventPush{Number: w.pr + 1, HeadSHA: head2, Sender: "mallory"}}
	res, err = g.Gather(ctx, w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Facts.Pushers) != 0 {
		t.Errorf("pushers = %v, want none", res.Facts.Pushers)
	}
}

type failingPushes struct{}

func (failingPushes) Pushes(_ context.Context, _ *github.Client, _ *github.PullRequest, _ time.Time) (PushFacts, error) {
	return PushFacts{}, errors.New("database is down")
}

func itoa(n int) string { return strconv.Itoa(n) }

func ptr[T any](v T) *T { return &v }

// TestGatherHeadUnseen: a source that knows the pushers but not when the
// head was first seen (the Action's token lacks checks: read) leaves the
// gates decidable: no fact is unavailable, only overrides cannot count.
func TestGatherHeadUnseen(t *testing.T) {
	w := newWorld(t, nil, nil)
	g := &Gatherer{Pushes: unseenPushes{}}
	res, err := g.Gather(t.Context(), w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Facts
	if len(f.Unavailable) != 0 || f.PullRequest.HeadSeenAt != nil || len(f.Pushers) != 1 {
		t.Errorf("unavailable %q, head seen %v, pushers %v; want none, nil, carol", f.Unavailable, f.PullRequest.HeadSeenAt, f.Pushers)
	}
}

type unseenPushes struct{}

func (unseenPushes) Pushes(_ context.Context, _ *github.Client, _ *github.PullRequest, _ time.Time) (PushFacts, error) {
	return PushFacts{Pushers: []policy.Pusher{{Login: "carol"}}}, fmt.Errorf("%w: 403 Resource not accessible by integration", ErrHeadUnseen)
}

// TestStorePushesEarlierCommits: whoever was recorded pushing any commit
// of the pull request, not only its head, is a pusher of it (as a push to
// this pull request); past GitHub's 250 listed commits the pushers are
// unknown, which is an error (the gates fail closed).
func TestStorePushesEarlierCommits(t *testing.T) {
	w := newWorld(t, nil, nil)
	ctx := t.Context()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	first := w.head
	head, err := w.env.Sim.Push(owner, repoName, "feature", map[string]string{"n.txt": "1"}, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	pr, _, err := w.gh.PullRequests.Get(ctx, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	repoID := pr.GetBase().GetRepo().GetID()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, p := range []store.Push{
		{RepoID: repoID, Number: 0, HeadSHA: first, Sender: "carol", SeenAt: t0},      // the earlier commit, on a branch
		{RepoID: repoID, Number: 0, HeadSHA: "elsewhere", Sender: "dave", SeenAt: t0}, // not a commit of the PR
		{RepoID: repoID, Number: w.pr, HeadSHA: head, Sender: "alice", SeenAt: t0},    // the head
	} {
		if err := st.RecordPush(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := StorePushes{Store: st}.Pushes(ctx, w.gh, pr, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []policy.Pusher{{Login: "carol", HeadSHA: first}, {Login: "alice", HeadSHA: head}}
	if diff := cmp.Diff(want, got.Pushers); diff != "" {
		t.Errorf("pushers mismatch (-want +got):\n%s", diff)
	}

	pr.Commits = github.Int(maxPRCommits + 1)
	if _, err := (StorePushes{Store: st}).Pushes(ctx, w.gh, pr, t0.Add(time.Minute)); err == nil {
		t.Errorf("Pushes of a pull request with %d commits = nil error, want an error", maxPRCommits+1)
	}
}
