package facts

import (
	"context"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// TestPullCacheFollowsChanges: an unchanged pull request, its files and
// reviews come from the decoded cache (no decode), and every change
// (review, draft, label, head, state)
// changes the ETag and the body, so the next Gather decodes it afresh.
func TestPullCacheFollowsChanges(t *testing.T) {
	w := newWorld(t, nil, nil)
	ctx := context.Background()
	cache := NewPullCache(0)
	g := &Gatherer{Pulls: cache, Members: NewMembershipCache(time.Hour, nil)}
	gather := func() *Result {
		t.Helper()
		res, err := g.Gather(ctx, w.gh, owner, repoName, w.pr)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := gather()
	if cache.Len() != 3 || first.Facts.PullRequest.Draft || !slices.Equal(first.Facts.PullRequest.Labels, []string{"deploy"}) {
		t.Fatalf("first gather: cache %d entries, draft %v, labels %v", cache.Len(), first.Facts.PullRequest.Draft, first.Facts.PullRequest.Labels)
	}
	again := gather()
	if again.PR == first.PR {
		t.Error("a cached pull request is shared between results; want a fresh copy each time")
	}
	if diff := cmp.Diff(first.Facts.PullRequest, again.Facts.PullRequest); diff != "" {
		t.Errorf("unchanged pull request read differently (-first +again):\n%s", diff)
	}

	if _, err := w.env.Sim.SubmitReview(owner, repoName, w.pr, "bob", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	if got := gather(); len(got.Facts.Reviews) != len(first.Facts.Reviews)+1 {
		t.Errorf("a review submitted on GitHub, gathered %d reviews, want %d: a stale decode was reused", len(got.Facts.Reviews), len(first.Facts.Reviews)+1)
	}
	if err := w.env.Sim.SetDraft(owner, repoName, w.pr, true); err != nil {
		t.Fatal(err)
	}
	if got := gather(); !got.Facts.PullRequest.Draft {
		t.Error("draft set on GitHub, but the gathered pull request is not a draft: a stale decode was reused")
	}
	if err := w.env.Sim.AddLabel(owner, repoName, w.pr, "urgent", "alice"); err != nil {
		t.Fatal(err)
	}
	if got := gather(); !slices.Contains(got.Facts.PullRequest.Labels, "urgent") {
		t.Errorf("label added on GitHub, gathered labels %v: a stale decode was reused", got.Facts.PullRequest.Labels)
	}
	head, err := w.env.Sim.Push(owner, repoName, "feature", map[string]string{"deploy/prod/app.yaml": "replicas: 4\n"}, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if got := gather(); got.HeadSHA != head {
		t.Errorf("head pushed to %s, gathered head %s: a stale decode was reused", head, got.HeadSHA)
	}
	if _, err := w.env.Sim.Push(owner, repoName, "feature", map[string]string{"deploy/staging/app.yaml": "replicas: 1\n"}, nil, "alice"); err != nil {
		t.Fatal(err)
	}
	if got := gather(); !slices.Contains(got.Facts.PullRequest.ChangedFiles, "deploy/staging/app.yaml") {
		t.Errorf("a file added on GitHub, gathered files %v: a stale decode was reused", got.Facts.PullRequest.ChangedFiles)
	}
	if err := w.env.Sim.ClosePR(owner, repoName, w.pr, "alice"); err != nil {
		t.Fatal(err)
	}
	if got := gather(); got.PR.GetState() != "closed" {
		t.Errorf("closed on GitHub, gathered state %q: a stale decode was reused", got.PR.GetState())
	}
}

// TestPullCacheNeedsSameETagAndBytes: an entry answers only the ETag and
// the exact bytes it was decoded from.
func TestPullCacheNeedsSameETagAndBytes(t *testing.T) {
	c := NewPullCache(2)
	a, b := sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))
	c.put("u", `"1"`, a, &pullFacts{Number: 1})
	if _, ok := c.get("u", `"1"`, a); !ok {
		t.Error("same ETag and bytes: miss")
	}
	if _, ok := c.get("u", `"2"`, a); ok {
		t.Error("another ETag: hit")
	}
	if _, ok := c.get("u", `"1"`, b); ok {
		t.Error("other bytes under the same ETag: hit")
	}
	if _, ok := c.get("u", "", a); ok {
		t.Error("no ETag: hit")
	}
	c.put("v", `"1"`, a, &pullFacts{})
	c.put("w", `"1"`, a, &pullFacts{})
	if c.Len() != 2 {
		t.Errorf("Len = %d past the bound of 2", c.Len())
	}
	var nilCache *PullCache
	nilCache.put("u", `"1"`, a, &pullFacts{})
	if _, ok := nilCache.get("u", `"1"`, a); ok || nilCache.Len() != 0 {
		t.Error("a nil cache cached")
	}
}

// TestPullFactsMatchGoGitHub: the compact decode gives every field zgate
// reads as go-github's full decode does, on the simulator's answer.
func TestPullFactsMatchGoGitHub(t *testing.T) {
	w := newWorld(t, nil, nil)
	ctx := context.Background()
	full, _, err := w.gh.PullRequests.Get(ctx, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	got, err := getPull(ctx, w.gh, nil, nil, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	pick := func(pr *github.PullRequest) []any {
		return []any{pr.GetNumber(), pr.GetState(), pr.GetDraft(), pr.GetMerged(), pr.GetMergeCommitSHA(),
			pr.GetMergedBy().GetLogin(), pr.GetUser().GetLogin(), pr.GetUser().GetID(), pr.GetUser().GetType(),
			labelNames(pr.Labels), pr.GetHead().GetRef(), pr.GetHead().GetSHA(), pr.GetBase().GetRef(), pr.GetBase().GetSHA(),
			pr.GetBase().GetRepo().GetID(), pr.GetBase().GetRepo().GetName(), pr.GetBase().GetRepo().GetFullName(),
			pr.GetBase().GetRepo().GetDefaultBranch(), pr.GetBase().GetRepo().GetOwner().GetLogin(),
			pr.GetChangedFiles(), pr.GetCommits()}
	}
	if diff := cmp.Diff(pick(full), pick(got)); diff != "" {
		t.Errorf("compact decode differs from go-github's (-full +compact):\n%s", diff)
	}
}
