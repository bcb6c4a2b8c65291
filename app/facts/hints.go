package facts

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// Hints keeps, per pull request, what webhook deliveries told this
// process since its last evaluation: the pull request object that
// pull_request and pull_request_review payloads carry, and the reviews
// the latter bring. A [Gather] in a [Hinted] context starts from them
// instead of GETting the pull request and listing its reviews (the review
// list then is the last one known plus the reviews delivered since).
//
// Such facts are cheap: a delivery can be old (redelivered), lost (a
// dismissal nobody told us of), or out of order, and another replica has
// none of them. So a [Result] built from them is marked [Result.Cheap],
// and the rule its users follow is: a gate may turn green, and Z may run,
// only from facts read from GitHub. The engine reports from a cheap
// result only when every gate it reports is pending or failing, and
// otherwise throws the result away and gathers again without hints (and
// Z with [Fresh]); stale
// hints thus delay a decision, never let one through. Also, a cheap
// Gather writes nothing that outlives it (no sighting of a head).
//
// The policy and CODEOWNERS never come from hints: the base branch's ref
// is read on every Gather ([ConfigCache]). Hints live in memory only; a
// pull request without any reads everything as without Hints.
//
// Safe for concurrent use; a nil *Hints keeps nothing.
type Hints struct {
	mu  sync.Mutex
	max int
	prs map[string]*prHint
}

// PullHint is a pull request as webhook payloads carry it: the fields
// zgate reads. A pull_request_review payload lacks the counts
// (changed_files, commits) and merged; they are then unknown.
type PullHint = pullFacts

// ReviewHint is a review as a pull_request_review payload carries it
// (its state in lower case).
type ReviewHint = reviewFacts

type prHint struct {
	// pull is the newest pull request delivered since the last Gather
	// took it; nil when none.
	pull *pullFacts
	// unordered is set when two deliveries dated the same second
	// disagree: which is newer is unknown, so none is used.
	unordered bool
	// updated is the latest updated_at known, delivered or read.
	updated time.Time
	// delivered are the reviews delivered since the list was last known,
	// by id.
	delivered []reviewFacts
	// list is the pull request's reviews as last known (read, plus what
	// cheap Gathers added); valid when listed.
	list   []reviewFacts
	listed bool
}

// DefaultHintEntries bounds [Hints]: one entry (the pull request and its
// reviews, a few KB) per open pull request.
const DefaultHintEntries = 8192

// maxHintReviews bounds the review list kept per pull request (about 150
// bytes a review); a longer list is read on every Gather.
const maxHintReviews = 300

// NewHints returns hints about at most max pull requests
// ([DefaultHintEntries] when max <= 0).
func NewHints(max int) *Hints {
	if max <= 0 {
		max = DefaultHintEntries
	}
	return &Hints{max: max, prs: map[string]*prHint{}}
}

// NotePull records the pull request a pull_request or pull_request_review
// delivery about owner/repo carried. opened tells that the delivery is its
// opening, when it has no reviews yet. A pull request dated before one
// known already (an old delivery, redelivered) is ignored.
func (h *Hints) NotePull(owner, repo string, pr *PullHint, opened bool) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notePull(owner, repo, pr, opened)
}

// notePull is NotePull with h.mu held; it reports whether pr was taken.
func (h *Hints) notePull(owner, repo string, pr *PullHint, opened bool) bool {
	if !usable(pr) {
		return false
	}
	e := h.entry(memoKey(owner, repo, pr.Number))
	at := pr.UpdatedAt.Time
	switch {
	case at.Before(e.updated):
		return false // older than what is known: a stale delivery
	case at.Equal(e.updated) && e.pull != nil && !samePull(e.pull, pr):
		// Two states dated the same second: which came last is unknown.
		e.unordered = true
		return false
	}
	e.updated = at
	c := *pr
	e.pull = &c
	if opened && !e.listed {
		e.list, e.listed = nil, true
	}
	return true
}

// NoteReview records a review that a pull_request_review delivery carried,
// with its pull request. A review replaces one with its id delivered
// earlier: the delivery of an edit or dismissal comes after the review's.
// A review whose pull request is older than one known is ignored with it.
func (h *Hints) NoteReview(owner, repo string, pr *PullHint, rv *ReviewHint) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.notePull(owner, repo, pr, false) || rv == nil || rv.ID == 0 {
		return
	}
	r := *rv
	// Webhooks spell states in lower case, the REST API in upper.
	r.State = strings.ToUpper(r.State)
	e := h.entry(memoKey(owner, repo, pr.Number))
	e.delivered = mergeReviews(e.delivered, []reviewFacts{r})
}

// hint is what one Gather takes: a pull request and, when known, its
// reviews.
type hint struct {
	pull    *pullFacts
	reviews []reviewFacts // valid when listed
	listed  bool
}

// take returns the hints about the pull request and forgets the delivered
// pull request, so that the next Gather without a new delivery reads
// everything. The reviews delivered become part of the list as known. It
// returns nil when no usable pull request was delivered since the last
// take: then the caller reads everything.
func (h *Hints) take(key string) *hint {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.prs[key]
	if !ok {
		return nil
	}
	pull, unordered := e.pull, e.unordered
	e.pull, e.unordered = nil, false
	if e.listed {
		e.list = mergeReviews(e.list, e.delivered)
		e.listed = len(e.list) <= maxHintReviews
	}
	// Unlisted, the caller reads the list, which shows what was
	// delivered until now.
	e.delivered = nil
	if pull == nil || unordered || pull.UpdatedAt.Time.Before(e.updated) {
		return nil
	}
	return &hint{pull: pull, reviews: slices.Clone(e.list), listed: e.listed}
}

// begin tells that a Gather reading everything starts: what was delivered
// until now happened before this read, which sees it.
func (h *Hints) begin(key string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if e, ok := h.prs[key]; ok {
		e.pull, e.unordered, e.delivered = nil, false, nil
	}
}

// learn records what a Gather read from GitHub: the pull request's date
// and its whole review list. Reviews delivered since begin stay to be
// merged by the next take.
func (h *Hints) learn(key string, updated time.Time, list []reviewFacts) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.entry(key)
	if updated.After(e.updated) {
		e.updated = updated
	}
	e.list, e.listed = nil, false
	if len(list) <= maxHintReviews {
		e.list, e.listed = slices.Clone(list), true
	}
}

// entry returns key's entry, made (evicting one at random when full) if
// there is none. h.mu is held.
func (h *Hints) entry(key string) *prHint {
	if e, ok := h.prs[key]; ok {
		return e
	}
	if len(h.prs) >= h.max {
		for k := range h.prs { // closed pull requests age out
			delete(h.prs, k)
			break
		}
	}
	e := &prHint{}
	h.prs[key] = e
	return e
}

// Len returns the number of pull requests with hints.
func (h *Hints) Len() int {
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.prs)
}

// usable reports whether pr names everything a Gather starts from.
func usable(pr *pullFacts) bool {
	return pr != nil && pr.Number > 0 && pr.UpdatedAt != nil && pr.Head.SHA != "" && pr.Base.Ref != "" &&
		pr.Base.Repo != nil && pr.Base.Repo.ID != 0 && pr.State != ""
}

// samePull reports whether a and b agree on what decides: head, base,
// state, draft and labels.
func samePull(a, b *pullFacts) bool {
	if a.Head.SHA != b.Head.SHA || a.Base.Ref != b.Base.Ref || a.State != b.State || a.Draft != b.Draft || len(a.Labels) != len(b.Labels) {
		return false
	}
	for i := range a.Labels {
		if a.Labels[i].Name != b.Labels[i].Name {
			return false
		}
	}
	return true
}

// mergeReviews returns list with each of add replacing the review of its
// id, or appended, ordered by id as GitHub lists them (oldest first).
func mergeReviews(list, add []reviewFacts) []reviewFacts {
	if len(add) == 0 {
		return list
	}
	out := slices.Clone(list)
	for _, r := range add {
		if i := slices.IndexFunc(out, func(o reviewFacts) bool { return o.ID == r.ID }); i >= 0 {
			out[i] = r
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b reviewFacts) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

type hintedKey struct{}

// Hinted returns ctx marked so that Gather may start from [Hints] (the
// engine's evaluations, which follow the rule on [Result.Cheap]); a
// [Fresh] mark wins.
func Hinted(ctx context.Context) context.Context {
	return context.WithValue(ctx, hintedKey{}, true)
}

func isHinted(ctx context.Context) bool {
	v, _ := ctx.Value(hintedKey{}).(bool)
	return v && !isFresh(ctx)
}

type cheapKey struct{}

// cheap marks ctx as a cheap Gather's: what it reads must not be recorded
// as seen on GitHub (a [PushSource] records no sighting of the head).
func cheap(ctx context.Context) context.Context { return context.WithValue(ctx, cheapKey{}, true) }

// IsCheap reports whether ctx is a cheap Gather's (see [Hints]): a
// [PushSource] must then record nothing.
func IsCheap(ctx context.Context) bool {
	v, _ := ctx.Value(cheapKey{}).(bool)
	return v
}
