package facts

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// hintPull is a delivered pull request #n of acme/payments.
func hintPull(n int, head, base string, updated time.Time) *PullHint {
	pr := &PullHint{Number: n, State: "open", UpdatedAt: &github.Timestamp{Time: updated}}
	pr.Head.SHA, pr.Base.Ref = head, base
	pr.Base.Repo = &struct {
		ID            int64     `json:"id"`
		Name          string    `json:"name"`
		FullName      string    `json:"full_name"`
		DefaultBranch string    `json:"default_branch"`
		Owner         userFacts `json:"owner"`
	}{ID: 7, Name: "payments", FullName: "acme/payments", Owner: userFacts{Login: "acme"}}
	return pr
}

func hintReview(id int64, user, state string) *ReviewHint {
	return &ReviewHint{ID: id, User: &userFacts{Login: user}, State: state, CommitID: "h1", SubmittedAt: &github.Timestamp{Time: time.Unix(1000+id, 0)}}
}

// taken is what a take gives, for comparison: head, base and review
// "user:STATE"s, or "none".
func taken(h *Hints, n int) []string {
	got := h.take(memoKey("acme", "payments", n))
	if got == nil {
		return []string{"none"}
	}
	out := []string{got.pull.Head.SHA + "->" + got.pull.Base.Ref}
	if !got.listed {
		out = append(out, "unlisted")
	}
	for _, r := range got.reviews {
		out = append(out, r.User.Login+":"+r.State)
	}
	return out
}

// TestHints: which delivered pull request and reviews a cheap Gather
// starts from, and when it must read everything instead.
func TestHints(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	key := memoKey("acme", "payments", 1)
	tests := []struct {
		name string
		do   func(h *Hints)
		want []string
	}{
		{"nothing delivered: read everything", func(*Hints) {}, []string{"none"}},
		{"opened: no reviews yet", func(h *Hints) {
			h.NotePull("acme", "payments", hintPull(1, "h1", "main", t0), true)
		}, []string{"h1->main"}},
		{"synchronize without a known list: reviews are read", func(h *Hints) {
			h.NotePull("acme", "payments", hintPull(1, "h1", "main", t0), false)
		}, []string{"h1->main", "unlisted"}},
		{"reviews delivered after a read add to its list, lower case states upper", func(h *Hints) {
			h.learn(key, t0, []reviewFacts{*hintReview(1, "carol", "COMMENTED")})
			h.NoteReview("acme", "payments", hintPull(1, "h1", "main", t0), hintReview(3, "dave", "approved"))
			h.NoteReview("acme", "payments", hintPull(1, "h1", "main", t0), hintReview(2, "carol", "approved"))
		}, []string{"h1->main", "carol:COMMENTED", "carol:APPROVED", "dave:APPROVED"}},
		{"a dismissal delivered replaces the review", func(h *Hints) {
			h.learn(key, t0, nil)
			h.NoteReview("acme", "payments", hintPull(1, "h1", "main", t0), hintReview(2, "carol", "approved"))
			h.NoteReview("acme", "payments", hintPull(1, "h1", "main", t0), hintReview(2, "carol", "dismissed"))
		}, []string{"h1->main", "carol:DISMISSED"}},
		{"the newer pull request wins, whatever the order of arrival", func(h *Hints) {
			h.NotePull("acme", "payments", hintPull(1, "h2", "main", t0.Add(time.Second)), false)
			h.NotePull("acme", "payments", hintPull(1, "h1", "main", t0), false)
		}, []string{"h2->main", "unlisted"}},
		{"an old delivery replayed after a read is ignored, with its review", func(h *Hints) {
			h.learn(key, t0.Add(time.Minute), nil)
			h.NoteReview("acme", "payments", hintPull(1, "h1", "main", t0), hintReview(2, "carol", "approved"))
		}, []string{"none"}},
		{"two pull requests of one second that disagree: read everything", func(h *Hints) {
			h.NotePull("acme", "payments", hintPull(1, "h1", "main", t0), false)
			h.NotePull("acme", "payments", hintPull(1, "h2", "main", t0), false)
		}, []string{"none"}},
		{"a retarget of the same second disagrees too", func(h *Hints) {
			h.NotePull("acme", "payments", hintPull(1, "h1", "main", t0), false)
			h.NotePull("acme", "payments", hintPull(1, "h1", "release", t0), false)
		}, []string{"none"}},
		{"a read after the delivery makes it stale", func(h *Hints) {
			h.NotePull("acme", "payments", hintPull(1, "h1", "main", t0), false)
			h.learn(key, t0.Add(time.Second), nil)
		}, []string{"none"}},
		{"a read started after the delivery consumes it", func(h *Hints) {
			h.NotePull("acme", "payments", hintPull(1, "h1", "main", t0), false)
			h.begin(key)
		}, []string{"none"}},
		{"a list too long to keep is read", func(h *Hints) {
			long := make([]reviewFacts, maxHintReviews+1)
			for i := range long {
				long[i] = *hintReview(int64(i+1), "carol", "COMMENTED")
			}
			h.learn(key, t0, long)
			h.NotePull("acme", "payments", hintPull(1, "h1", "main", t0), false)
		}, []string{"h1->main", "unlisted"}},
		{"a review of another pull request with the same head is no hint", func(h *Hints) {
			h.learn(key, t0, nil)
			h.NoteReview("acme", "payments", hintPull(2, "h1", "main", t0), hintReview(2, "carol", "approved"))
		}, []string{"none"}},
		{"a pull request without updated_at or base repository is no hint", func(h *Hints) {
			pr := hintPull(1, "h1", "main", t0)
			pr.UpdatedAt = nil
			h.NotePull("acme", "payments", pr, true)
			pr = hintPull(1, "h1", "main", t0)
			pr.Base.Repo = nil
			h.NotePull("acme", "payments", pr, true)
		}, []string{"none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHints(0)
			tt.do(h)
			if diff := cmp.Diff(tt.want, taken(h, 1)); diff != "" {
				t.Errorf("take (-want +got):\n%s", diff)
			}
			if got := taken(h, 1); got[0] != "none" {
				t.Errorf("second take = %v, want none: a hint is used once", got)
			}
		})
	}
}

// TestHintsKeepTheList: what a cheap Gather took stays in the list the
// next delivery builds on.
func TestHintsKeepTheList(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	h := NewHints(0)
	h.NotePull("acme", "payments", hintPull(1, "h1", "main", t0), true)
	h.NoteReview("acme", "payments", hintPull(1, "h1", "main", t0), hintReview(2, "carol", "approved"))
	taken(h, 1)
	h.NoteReview("acme", "payments", hintPull(1, "h1", "main", t0), hintReview(3, "dave", "changes_requested"))
	if diff := cmp.Diff([]string{"h1->main", "carol:APPROVED", "dave:CHANGES_REQUESTED"}, taken(h, 1)); diff != "" {
		t.Errorf("take (-want +got):\n%s", diff)
	}
}

// TestHintedContext: only a Hinted context without Fresh starts from
// hints; a cheap context records nothing.
func TestHintedContext(t *testing.T) {
	ctx := context.Background()
	if isHinted(ctx) || !isHinted(Hinted(ctx)) || isHinted(Fresh(Hinted(ctx))) || isHinted(Hinted(Fresh(ctx))) {
		t.Error("Hinted/Fresh: want hints only in a Hinted context without Fresh")
	}
	if IsCheap(ctx) || !IsCheap(cheap(ctx)) {
		t.Error("IsCheap: want only a cheap context")
	}
}

// TestGatherFromHints: a Gather in a Hinted context with a delivered pull
// request reads neither the pull request nor (when the list is known) its
// reviews, and marks the result cheap; a Fresh one reads everything.
func TestGatherFromHints(t *testing.T) {
	w := newWorld(t, nil, nil)
	sim := w.env.Sim
	ctx := t.Context()
	h := NewHints(0)
	g := &Gatherer{Pulls: NewPullCache(0), Lists: NewListMemo(0), Hints: h}
	delivered := func() *PullHint {
		t.Helper()
		req, err := w.gh.NewRequest("GET", "repos/"+owner+"/"+repoName+"/pulls/"+strconv.Itoa(w.pr), nil)
		if err != nil {
			t.Fatal(err)
		}
		pr := new(PullHint)
		if _, err := w.gh.Do(ctx, req, pr); err != nil {
			t.Fatal(err)
		}
		return pr
	}
	gather := func(c context.Context) (*Result, map[string]int) {
		t.Helper()
		sim.ResetCalls()
		res, err := g.Gather(c, w.gh, owner, repoName, w.pr)
		if err != nil {
			t.Fatal(err)
		}
		return res, sim.Calls()
	}
	const pullRoute, reviewsRoute = "GET /repos/{owner}/{repo}/pulls/{pull_number}", "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews"
	full, _ := gather(Hinted(ctx)) // nothing delivered: reads everything
	if full.Cheap {
		t.Error("Gather without hints: Cheap, want not")
	}
	h.NotePull(owner, repoName, delivered(), false)
	res, calls := gather(Hinted(ctx))
	if !res.Cheap || calls[pullRoute] != 0 || calls[reviewsRoute] != 0 {
		t.Errorf("hinted Gather: cheap %v, %d pull and %d review reads; want cheap, none", res.Cheap, calls[pullRoute], calls[reviewsRoute])
	}
	if res.HeadSHA != full.HeadSHA || res.BaseRef != full.BaseRef || !cmp.Equal(res.Facts.Reviews, full.Facts.Reviews) {
		t.Errorf("hinted Gather: head %s base %s reviews %v; want %s %s %v", res.HeadSHA, res.BaseRef, res.Facts.Reviews, full.HeadSHA, full.BaseRef, full.Facts.Reviews)
	}
	h.NotePull(owner, repoName, delivered(), false)
	res, calls = gather(Fresh(Hinted(ctx)))
	if res.Cheap || calls[pullRoute] != 1 || calls[reviewsRoute] != 1 {
		t.Errorf("fresh Gather: cheap %v, %d pull and %d review reads; want not cheap, 1 each", res.Cheap, calls[pullRoute], calls[reviewsRoute])
	}
	if got := h.take(memoKey(owner, repoName, w.pr)); got != nil {
		t.Errorf("hint left after a fresh Gather read everything: %+v", got.pull)
	}
}
