package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
)

// testPushes: the first sighting of a (pull request, head, sender) is kept;
// Pushes returns the pull request's rows and its head's rows on other pull
// requests and branches of the same repository, oldest first.
func testPushes(t *testing.T, s *store.Store) {
	ctx := t.Context()
	const repo, other = 77, 78
	rec := []store.Push{
		{RepoID: repo, Number: 1, HeadSHA: "aaa", Sender: "alice", SeenAt: t0},
		{RepoID: repo, Number: 1, HeadSHA: "aaa", Sender: "alice", SeenAt: t0.Add(time.Hour)}, // a redelivery
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
	want := []store.Push{
		{RepoID: repo, Number: 0, HeadSHA: "bbb", Sender: "eve", SeenAt: t0.Add(-2 * time.Hour)},
		{RepoID: repo, Number: 2, HeadSHA: "bbb", Sender: "mallory", SeenAt: t0.Add(-time.Hour)},
		{RepoID: repo, Number: 1, HeadSHA: "aaa", Sender: "alice", SeenAt: t0},
		{RepoID: repo, Number: 1, HeadSHA: "bbb", Sender: "bob", SeenAt: t0.Add(time.Minute)},
		{RepoID: repo, Number: 1, HeadSHA: "bbb", Sender: "", SeenAt: t0.Add(2 * time.Minute)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Pushes(#1, bbb) mismatch (-want +got):\n%s", diff)
	}
	got, err = s.Pushes(ctx, repo, 9, "DDD")
	if err != nil || len(got) != 0 {
		t.Errorf("Pushes(#9) = %+v, %v; want none", got, err)
	}
}
