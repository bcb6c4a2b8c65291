package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
)

// testPushes: a (pull request, head, sender) keeps its first and latest
// sighting, whatever order they are recorded in; Pushes returns the pull request's rows and its head's rows on other pull
// requests and branches of the same repository, oldest first.
func testPushes(t *testing.T, s *store.Store) {
	ctx := t.Context()
	const repo, other = 77, 78
	rec := []store.Push{
		{RepoID: repo, Number: 1, HeadSHA: "aaa", Sender: "alice", SeenAt: t0},
		{RepoID: repo, Number: 1, HeadSHA: "aaa", Sender: "alice", SeenAt: t0.Add(time.Hour)},        // seen again
		{RepoID: repo, Number: 1, HeadSHA: "aaa", Sender: "alice", SeenAt: t0.Add(30 * time.Minute)}, // a late redelivery
		{RepoID: repo, Number: 1, HeadSHA: "BBB", Sender: "bob", SeenAt: t0.Add(time.Minute)},
		{RepoID: repo, Number: 1, HeadSHA: "bbb", Sender: "", SeenAt: t0.Add(2 * time.Minute)},
		{RepoID: repo, Number: 2, HeadSHA: "bbb", Sender: "mallory", SeenAt: t0.Add(-time.Hour)},
		{RepoID: repo, Number: 0, HeadSHA: "bbb", Sender: "eve", SeenAt: t0.Add(-2 * time.Hour)},
		{RepoID: repo, Number: 3, HeadSHA: "ccc", Sender: "carol", SeenAt: t0},
		{RepoID: other, Number: 1, HeadSHA: "bbb", Sender: "oscar", SeenAt: t0},
	}
	for _, p := range rec {
		if err := s.RecordPush(ctx, p); err != nil {
			t.Fatalf("RecordPush(%+v) = %v", p, err)
		}
	}
	if err := s.RecordPush(ctx, store.Push{RepoID: repo, Number: 1, Sender: "x", SeenAt: t0}); err == nil {
		t.Errorf("RecordPush without a head = nil error, want an error")
	}
	got, err := s.Pushes(ctx, repo, 1, "bbb")
	if err != nil {
		t.Fatalf("Pushes() = %v", err)
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	want := []store.Push{
		{RepoID: repo, Number: 0, HeadSHA: "bbb", Sender: "eve", SeenAt: at(-2 * time.Hour), LastSeenAt: at(-2 * time.Hour)},
		{RepoID: repo, Number: 2, HeadSHA: "bbb", Sender: "mallory", SeenAt: at(-time.Hour), LastSeenAt: at(-time.Hour)},
		{RepoID: repo, Number: 1, HeadSHA: "aaa", Sender: "alice", SeenAt: t0, LastSeenAt: at(time.Hour)},
		{RepoID: repo, Number: 1, HeadSHA: "bbb", Sender: "bob", SeenAt: at(time.Minute), LastSeenAt: at(time.Minute)},
		{RepoID: repo, Number: 1, HeadSHA: "bbb", Sender: "", SeenAt: at(2 * time.Minute), LastSeenAt: at(2 * time.Minute)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Pushes(#1, bbb) mismatch (-want +got):\n%s", diff)
	}
	// An earlier sighting recorded late moves the first one back.
	if err := s.RecordPush(ctx, store.Push{RepoID: repo, Number: 1, HeadSHA: "aaa", Sender: "alice", SeenAt: at(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Pushes(ctx, repo, 1, "aaa")
	if err != nil || len(got) == 0 || !got[0].SeenAt.Equal(at(-time.Minute)) || !got[0].LastSeenAt.Equal(at(time.Hour)) {
		t.Errorf("Pushes(#1, aaa)[0] = %+v, %v; want first %v, last %v", got, err, at(-time.Minute), at(time.Hour))
	}
	got, err = s.Pushes(ctx, repo, 9, "DDD")
	if err != nil || len(got) != 0 {
		t.Errorf("Pushes(#9) = %+v, %v; want none", got, err)
	}
}

// testPushesOf: PushesOf returns every push with a sender of any of the
// commits, on any pull request or branch of the repository, oldest first.
func testPushesOf(t *testing.T, s *store.Store) {
	ctx := t.Context()
	const repo, other = 77, 78
	for _, p := range []store.Push{
		{RepoID: repo, Number: 0, HeadSHA: "aaa", Sender: "carol", SenderID: 7, SeenAt: t0},
		{RepoID: repo, Number: 0, HeadSHA: "aaa", Sender: "carol", SeenAt: t0}, // an id once known stays
		{RepoID: repo, Number: 4, HeadSHA: "BBB", Sender: "bob", SeenAt: t0.Add(time.Minute)},
		{RepoID: repo, Number: 4, HeadSHA: "bbb", Sender: "", SeenAt: t0.Add(2 * time.Minute)}, // a sighting
		{RepoID: repo, Number: 5, HeadSHA: "ccc", Sender: "dave", SeenAt: t0},
		{RepoID: other, Number: 0, HeadSHA: "aaa", Sender: "oscar", SeenAt: t0},
	} {
		if err := s.RecordPush(ctx, p); err != nil {
			t.Fatalf("RecordPush(%+v) = %v", p, err)
		}
	}
	got, err := s.PushesOf(ctx, repo, []string{"AAA", "bbb", "ddd"})
	if err != nil {
		t.Fatalf("PushesOf() = %v", err)
	}
	want := []store.Push{
		{RepoID: repo, Number: 0, HeadSHA: "aaa", Sender: "carol", SenderID: 7, SeenAt: t0, LastSeenAt: t0},
		{RepoID: repo, Number: 4, HeadSHA: "bbb", Sender: "bob", SeenAt: t0.Add(time.Minute), LastSeenAt: t0.Add(time.Minute)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PushesOf mismatch (-want +got):\n%s", diff)
	}
	if got, err := s.PushesOf(ctx, repo, nil); err != nil || len(got) != 0 {
		t.Errorf("PushesOf(none) = %+v, %v; want none", got, err)
	}
}
