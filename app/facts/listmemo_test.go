package facts

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
)

const (
	timelineRoute = "GET /repos/{owner}/{repo}/issues/{issue_number}/timeline"
	commitsRoute  = "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits"
)

// TestListMemo: the timeline and the commits are read again unless the
// pull request and its files answer as they did when they were read, its
// latest change is past GitHub's second and the clocks' skew, and the
// read is not one before a Z; what the memo gives equals what a read
// gives.
func TestListMemo(t *testing.T) {
	w := newWorld(t, nil, nil)
	sim := w.env.Sim
	ctx := t.Context()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := sim.Push(owner, repoName, "release", map[string]string{"README.md": "release\n"}, nil, "admin"); err != nil {
		t.Fatal(err)
	}
	var later time.Duration // zgate's clock ahead of the simulator's
	g := &Gatherer{Pulls: NewPullCache(0), Lists: NewListMemo(0), Pushes: StorePushes{Store: st},
		Now: func() time.Time { return time.Now().Add(later) }}
	gather := func(fresh bool) (*Result, map[string]int) {
		t.Helper()
		sim.ResetCalls()
		c := ctx
		if fresh {
			c = Fresh(ctx)
		}
		res, err := g.Gather(c, w.gh, owner, repoName, w.pr)
		if err != nil {
			t.Fatal(err)
		}
		return res, sim.Calls()
	}
	check := func(step string, calls map[string]int, wantReads int) {
		t.Helper()
		if calls[timelineRoute] != wantReads || calls[commitsRoute] != wantReads {
			t.Errorf("%s: timeline read %d times, commits %d; want %d each", step, calls[timelineRoute], calls[commitsRoute], wantReads)
		}
	}
	same := func(step string, a, b *Result) {
		t.Helper()
		type listed struct {
			BaseChangedAt, HeadSeenAt *time.Time
			Files                     []string
			Pushers                   any
		}
		of := func(r *Result) listed {
			seen := r.Facts.PullRequest.HeadSeenAt
			if seen != nil { // as the store keeps it
				seen = ptr(seen.UTC().Truncate(time.Microsecond))
			}
			return listed{r.Facts.PullRequest.BaseChangedAt, seen, r.Facts.PullRequest.ChangedFiles, r.Facts.Pushers}
		}
		if diff := cmp.Diff(of(a), of(b)); diff != "" {
			t.Errorf("%s: facts differ from a full read (-full +memo):\n%s", step, diff)
		}
	}

	_, calls := gather(false)
	check("first read", calls, 1)
	_, calls = gather(false)
	check("the pull request changed within the last seconds", calls, 1)

	later = 10 * time.Second
	full, calls := gather(false)
	check("old enough, not kept yet", calls, 1)
	memo, calls := gather(false)
	check("unchanged", calls, 0)
	same("unchanged", full, memo)
	if calls["GET /repos/{owner}/{repo}/pulls/{pull_number}/files"] != 1 || calls["GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews"] != 1 {
		t.Errorf("unchanged: files and reviews must still be read: %v", calls)
	}
	_, calls = gather(true)
	check("before a Z", calls, 1)

	// Away and back: the same base, but updated_at moved (a second later).
	time.Sleep(1100 * time.Millisecond)
	if err := sim.ChangeBase(owner, repoName, w.pr, "release", "mallory"); err != nil {
		t.Fatal(err)
	}
	if err := sim.ChangeBase(owner, repoName, w.pr, "main", "mallory"); err != nil {
		t.Fatal(err)
	}
	res, calls := gather(false)
	check("retargeted and back", calls, 1)
	if res.Facts.PullRequest.BaseChangedAt == nil {
		t.Errorf("retargeted and back: no base change seen")
	}
	memo, calls = gather(false)
	check("unchanged after the retarget", calls, 0)
	same("unchanged after the retarget", res, memo)

	// A push moves the head: the commits are new.
	if _, err := sim.Push(owner, repoName, "feature", map[string]string{"deploy/prod/app.yaml": "replicas: 4\n"}, nil, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordPush(ctx, store.Push{RepoID: res.PR.GetBase().GetRepo().GetID(), HeadSHA: w.head, Sender: "dave", SeenAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	full, calls = gather(false)
	check("pushed", calls, 1)
	memo, calls = gather(false)
	check("unchanged after the push", calls, 0)
	same("unchanged after the push", full, memo)
	if len(memo.Facts.Pushers) == 0 || memo.Facts.Pushers[0].Login != "dave" {
		t.Errorf("unchanged after the push: pushers %+v, want dave's earlier commit", memo.Facts.Pushers)
	}
}

// TestMemorable: the memo keeps lists read only when the pull request's
// latest change (whole seconds, GitHub's clock) is more than baseSettle
// before the read: a later change then dates another second.
func TestMemorable(t *testing.T) {
	read := time.Date(2026, 11, 24, 11, 30, 10, 500_000_000, time.UTC)
	for _, tt := range []struct {
		name    string
		updated *time.Time
		want    bool
	}{
		{"unknown", nil, false},
		{"long before", ptr(read.Add(-time.Hour).Truncate(time.Second)), true},
		{"just past the margin", ptr(read.Add(-3 * time.Second).Truncate(time.Second)), true},
		{"within the margin", ptr(read.Add(-2 * time.Second).Truncate(time.Second)), false},
		{"the second of the read", ptr(read.Truncate(time.Second)), false},
		{"after the read (clock skew)", ptr(read.Add(time.Minute)), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pr := &github.PullRequest{}
			if tt.updated != nil {
				pr.UpdatedAt = &github.Timestamp{Time: *tt.updated}
			}
			if got := memorable(pr, read); got != tt.want {
				t.Errorf("memorable(%v) = %v, want %v", tt.updated, got, tt.want)
			}
		})
	}
}
