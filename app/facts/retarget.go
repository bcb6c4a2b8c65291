package facts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-github/v62/github"
)

// baseChangedAt returns when the pull request's base branch last changed
// (the newest base_ref_changed event of its timeline, by GitHub's clock,
// the clock that dates reviews and comments), nil when it never did. An
// approval is for the change into the base it was given on: retargeted,
// the same head proposes another change (a branch holding unreviewed
// commits shows only the commits on top of it), so approvals and
// overrides from before the retarget do not count (policy.PullRequest
// BaseChangedAt). Every page is read: the newest event is on the last.
func baseChangedAt(ctx context.Context, gh *github.Client, owner, repo string, number int) (*time.Time, error) {
	changes, err := baseChanges(ctx, gh, owner, repo, number)
	if err != nil {
		return nil, err
	}
	var last *time.Time
	for i := range changes {
		if last == nil || changes[i].After(*last) {
			last = &changes[i]
		}
	}
	return last, nil
}

// baseChanges lists the times of the pull request's base_ref_changed
// events, every page.
func baseChanges(ctx context.Context, gh *github.Client, owner, repo string, number int) ([]time.Time, error) {
	var out []time.Time
	opts := &github.ListOptions{PerPage: perPage}
	for {
		page, resp, err := gh.Issues.ListIssueTimeline(ctx, owner, repo, number, opts)
		if err != nil {
			return nil, fmt.Errorf("list the timeline of %s/%s#%d (page %d): %w", owner, repo, number, max(opts.Page, 1), err)
		}
		for _, ev := range page {
			if ev.GetEvent() == "base_ref_changed" && ev.CreatedAt != nil {
				out = append(out, ev.GetCreatedAt().Time)
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// baseSettle is how long before a read a base change must be for the
// read to trust its changed files: GitHub dates events in whole seconds,
// and its clock and zgate's may differ a little (keep both synchronised).
const baseSettle = 2 * time.Second

// baseSettled refuses facts read at (or shortly after) a base change.
// GitHub computes the changed files against whatever the base is when it
// answers: retargeted to a branch holding unreviewed commits between the
// read of the pull request and of its files, and back right after, the
// pull request would be judged by the base it names with the files of
// another (a gate "skipped" on a change it guards). The timeline is read
// after the files, so such a flip shows as a base change at or after the
// read; then the evaluation stops with [ErrHeadMoved] and runs again.
func baseSettled(changed *time.Time, read time.Time) error {
	if changed == nil || changed.Before(read.Add(-baseSettle).Truncate(time.Second)) {
		return nil
	}
	return fmt.Errorf("%w: the base branch changed at %s, while or just before its files were read at %s", ErrHeadMoved, changed.UTC().Format(time.RFC3339), read.UTC().Format(time.RFC3339))
}

// afterRetarget moves when the head counts as seen to just after the
// latest base change, so that no override given before the retarget
// counts: GitHub dates comments in whole seconds, so one dated the second
// of the change may predate it.
func afterRetarget(seen, changed *time.Time) *time.Time {
	if seen == nil || changed == nil {
		return seen
	}
	if after := changed.Add(time.Second); seen.Before(after) {
		return &after
	}
	return seen
}
