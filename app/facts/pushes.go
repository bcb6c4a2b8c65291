package facts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// PushSource says who pushed to a pull request and when its head was first
// seen (policy.Facts.Pushers and policy.PullRequest.HeadSeenAt). seen is
// when the caller read the pull request with its current head. An error
// makes the pushers unavailable, which fails every gate closed.
type PushSource interface {
	Pushes(ctx context.Context, gh *github.Client, pr *github.PullRequest, seen time.Time) (PushFacts, error)
}

// ErrHeadUnseen is wrapped by a [PushSource] error that leaves the
// pushers known but not when the head was first seen: then no override
// counts, while approvals are judged as usual (the Action's token may lack
// checks: read).
var ErrHeadUnseen = errors.New("when the head was first seen is unknown")

// PushFacts is what a [PushSource] knows.
type PushFacts struct {
	Pushers []policy.Pusher
	// HeadSeenAt is nil when unknown: then no override counts.
	HeadSeenAt *time.Time
}

// PushStore is the store behind [StorePushes] (*store.Store).
type PushStore interface {
	RecordPush(ctx context.Context, p store.Push) error
	Pushes(ctx context.Context, repoID int64, number int, head string) ([]store.Push, error)
	// PushesOf returns the pushes, with a sender, that made any of shas.
	PushesOf(ctx context.Context, repoID int64, shas []string) ([]store.Push, error)
}

// StorePushes is the App's [PushSource]: the pushers are the senders of
// the pull_request deliveries intake recorded (app/server), and the head
// counts as seen since the start of its current tenure: its first sighting
// (a delivery naming it, or an evaluation reading it) after the latest
// sighting of any other head of the pull request. A head that comes back
// (A, then B, then A again) is new again: an override given while B was
// the head never holds for A.
type StorePushes struct {
	Store PushStore
}

// Pushes implements [PushSource].
func (sp StorePushes) Pushes(ctx context.Context, gh *github.Client, pr *github.PullRequest, seen time.Time) (PushFacts, error) {
	repoID, n, head := pr.GetBase().GetRepo().GetID(), pr.GetNumber(), strings.ToLower(pr.GetHead().GetSHA())
	if repoID == 0 || head == "" {
		return PushFacts{}, fmt.Errorf("pull request #%d: GitHub returned no repository id or head", n)
	}
	rows, err := sp.Store.Pushes(ctx, repoID, n, head)
	if err != nil {
		return PushFacts{}, err
	}
	out := PushFacts{HeadSeenAt: headTenure(rows, n, head)}
	if out.HeadSeenAt == nil && !IsCheap(ctx) {
		// A cheap Gather's head may be an old one (from a delivery): it
		// records no sighting, and no override counts.
		//
		// No sighting of this head is newer than the other heads': this
		// evaluation is its first sighting (no delivery named it, or the
		// pull request came back to it and the delivery is not in yet).
		if err := sp.Store.RecordPush(ctx, store.Push{RepoID: repoID, Number: n, HeadSHA: head, SeenAt: seen}); err != nil {
			return PushFacts{}, err
		}
		at := seen
		out.HeadSeenAt = &at
	}
	earlier, err := sp.earlierCommitPushes(ctx, gh, pr, repoID, head)
	if err != nil {
		return PushFacts{}, err
	}
	out.Pushers = append(out.Pushers, earlier...)
	for _, r := range rows {
		if r.Sender == "" {
			continue
		}
		p := policy.Pusher{Login: r.Sender, HeadSHA: r.HeadSHA, ID: r.SenderID}
		switch {
		case r.Number == n:
		case r.Number == 0:
			p.Via = "a push to a branch"
		default:
			p.Via = "#" + strconv.Itoa(r.Number)
		}
		out.Pushers = append(out.Pushers, p)
	}
	return out, nil
}

// maxPRCommits is how many commits GitHub lists for a pull request.
const maxPRCommits = 250

// earlierCommitPushes returns, as pushes to this pull request, the
// recorded pushes of its commits other than the head, wherever they were
// seen (a branch before the pull request was opened, another pull
// request): whoever pushed one of its commits wrote part of the change,
// so under the "all" rule cannot approve it (the head's own pushers are
// in the caller's rows). GitHub lists at most 250 commits; past that the
// pushers of the rest are unknown and the caller fails closed.
func (sp StorePushes) earlierCommitPushes(ctx context.Context, gh *github.Client, pr *github.PullRequest, repoID int64, head string) ([]policy.Pusher, error) {
	if pr.GetCommits() > maxPRCommits {
		return nil, fmt.Errorf("pull request #%d has %d commits; GitHub lists %d, so who pushed the rest is unknown", pr.GetNumber(), pr.GetCommits(), maxPRCommits)
	}
	owner, repo := pr.GetBase().GetRepo().GetOwner().GetLogin(), pr.GetBase().GetRepo().GetName()
	all, err := prCommitsVia(ctx, func() ([]string, error) { return prCommits(ctx, gh, owner, repo, pr.GetNumber()) })
	if err != nil {
		return nil, err
	}
	shas := make([]string, 0, len(all))
	for _, sha := range all {
		if sha != head {
			shas = append(shas, sha)
		}
	}
	rows, err := sp.Store.PushesOf(ctx, repoID, shas)
	if err != nil {
		return nil, err
	}
	out := make([]policy.Pusher, 0, len(rows))
	for _, r := range rows {
		out = append(out, policy.Pusher{Login: r.Sender, HeadSHA: r.HeadSHA, ID: r.SenderID})
	}
	return out, nil
}

// prCommits lists the pull request's commits (lower-case SHAs), every
// page. It decodes only each commit's sha (getCompact), not go-github's
// RepositoryCommit: a commit is 3-4 KB of authors, tree, parents and
// signature, and the list is read on every evaluation.
func prCommits(ctx context.Context, gh *github.Client, owner, repo string, number int) ([]string, error) {
	var shas []string
	opts := &github.ListOptions{PerPage: perPage}
	for {
		page, resp, err := getCompact(ctx, gh, nil, nil, pageURL(fmt.Sprintf("repos/%v/%v/pulls/%d/commits", owner, repo, number), opts), commitPage)
		if err != nil {
			return nil, fmt.Errorf("list commits of %s/%s#%d (page %d): %w", owner, repo, number, max(opts.Page, 1), err)
		}
		for _, c := range page {
			if sha := strings.ToLower(c.SHA); sha != "" {
				shas = append(shas, sha)
			}
		}
		if resp.NextPage == 0 {
			return shas, nil
		}
		opts.Page = resp.NextPage
	}
}

// headTenure is when head became pull request n's head for the last time,
// from its rows: the earliest sighting of head after the latest sighting
// of any other head. A row keeps only its first and latest sighting, so
// when the first is older than another head's, its latest stands in (a
// later time: fewer overrides count). Nil when zgate's latest sighting of
// the pull request is another head.
func headTenure(rows []store.Push, n int, head string) *time.Time {
	var other time.Time
	for _, r := range rows {
		if r.Number == n && !strings.EqualFold(r.HeadSHA, head) && r.LastSeenAt.After(other) {
			other = r.LastSeenAt
		}
	}
	var start *time.Time
	for _, r := range rows {
		if r.Number != n || !strings.EqualFold(r.HeadSHA, head) {
			continue
		}
		at := r.SeenAt
		if !at.After(other) {
			at = r.LastSeenAt
		}
		if at.After(other) && (start == nil || at.Before(*start)) {
			start = &at
		}
	}
	return start
}

// EventPush is the push the event being handled names: the sender of a
// pull_request opened, synchronize or reopened event.
type EventPush struct {
	Number  int
	HeadSHA string
	Sender  string
}

// SuitePushes is the Action's [PushSource]. The Action has no database,
// so it knows only the pusher the current event names (Event), and takes
// the time the head was first seen from GitHub: the creation of the
// earliest check suite GitHub made for the head commit, which GitHub sets
// when the commit is pushed and no one can forge. GitHub's times are
// whole seconds, so the head counts as seen one second after the suite's
// creation time: an override dated that second may predate the push.
type SuitePushes struct {
	// Event is nil when the event names no push.
	Event *EventPush
}

// Pushes implements [PushSource].
func (sp SuitePushes) Pushes(ctx context.Context, gh *github.Client, pr *github.PullRequest, _ time.Time) (PushFacts, error) {
	var out PushFacts
	if e := sp.Event; e != nil && e.Number == pr.GetNumber() && e.Sender != "" {
		out.Pushers = append(out.Pushers, policy.Pusher{Login: e.Sender, HeadSHA: strings.ToLower(e.HeadSHA)})
	}
	owner, repo := pr.GetBase().GetRepo().GetOwner().GetLogin(), pr.GetBase().GetRepo().GetName()
	head := pr.GetHead().GetSHA()
	opts := &github.ListCheckSuiteOptions{ListOptions: github.ListOptions{PerPage: perPage}}
	for {
		page, resp, err := gh.Checks.ListCheckSuitesForRef(ctx, owner, repo, head, opts)
		if err != nil {
			out.HeadSeenAt = nil
			return out, fmt.Errorf("%w: list check suites of %s/%s@%s: %w", ErrHeadUnseen, owner, repo, head, err)
		}
		for _, cs := range page.CheckSuites {
			if cs.CreatedAt == nil || cs.CreatedAt.IsZero() {
				continue
			}
			at := cs.GetCreatedAt().Time.Add(time.Second)
			if out.HeadSeenAt == nil || at.Before(*out.HeadSeenAt) {
				out.HeadSeenAt = &at
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}
