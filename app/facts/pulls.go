package facts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/policy"
)

const perPage = 100

// changedFiles lists every changed file, following pages. A renamed file
// contributes its old path too: moving a file out of a protected directory
// changes that directory. truncated is set when GitHub stopped at its
// 3,000-file cap.
//
// GitHub computes the list for whatever the head is when it answers, which
// can be another commit than the head the caller read with the pull
// request: a branch flipped to a harmless commit between the two reads and
// back would have the head judged by another commit's files. So every
// entry must name head (its contents_url is "...?ref=<head sha>"), and a
// head with changed files (changed, from the same read as head) must not
// list none; otherwise [ErrHeadMoved]: the caller re-evaluates.
func changedFiles(ctx context.Context, gh *github.Client, cache *PullCache, trail *answerTrail, owner, repo string, number int, head string, changed int) (files []string, truncated bool, err error) {
	opts := &github.ListOptions{PerPage: perPage}
	listed := 0
	for {
		page, resp, err := getCompact(ctx, gh, cache, trail, pageURL(fmt.Sprintf("repos/%v/%v/pulls/%d/files", owner, repo, number), opts), filePage)
		if err != nil {
			return nil, false, fmt.Errorf("list files of %s/%s#%d (page %d): %w", owner, repo, number, opts.Page, err)
		}
		for _, f := range page {
			if f.ref != "" && !strings.EqualFold(f.ref, head) {
				return nil, false, fmt.Errorf("%w: files of %s/%s#%d listed for %s, not the head %s", ErrHeadMoved, owner, repo, number, f.ref, head)
			}
			files = append(files, f.name)
			if f.prev != "" && f.prev != f.name {
				files = append(files, f.prev)
			}
		}
		listed += len(page)
		if resp.NextPage == 0 {
			break
		}
		if listed >= maxChangedFiles {
			return files, true, nil
		}
		opts.Page = resp.NextPage
	}
	if listed == 0 && changed > 0 {
		return nil, false, fmt.Errorf("%w: %s/%s#%d has %d changed files at %s, GitHub listed none", ErrHeadMoved, owner, repo, number, changed, head)
	}
	return files, listed >= maxChangedFiles, nil
}

// ErrHeadMoved is wrapped by a gather error when facts read for the head
// commit were answered for another commit: the head moved during the read.
var ErrHeadMoved = errors.New("the head moved while its facts were read")

// reviews lists every review, oldest first as GitHub returns them.
func reviews(ctx context.Context, gh *github.Client, cache *PullCache, owner, repo string, number int) ([]reviewFacts, error) {
	var out []reviewFacts
	opts := &github.ListOptions{PerPage: perPage}
	for {
		page, resp, err := getCompact(ctx, gh, cache, nil, pageURL(fmt.Sprintf("repos/%v/%v/pulls/%d/reviews", owner, repo, number), opts), reviewPage)
		if err != nil {
			return nil, fmt.Errorf("list reviews of %s/%s#%d: %w", owner, repo, number, err)
		}
		out = append(out, page...)
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// reviewList converts listed reviews into the policy's, adding the
// reviewers marked as bots to bots. Pending (unsubmitted) reviews have no
// time and change nothing.
func reviewList(listed []reviewFacts, bots botSet) []policy.Review {
	out := []policy.Review{}
	for _, r := range listed {
		if r.User == nil || r.User.Login == "" || r.SubmittedAt == nil {
			continue
		}
		bots.add(r.User.user())
		out = append(out, policy.Review{
			ID:          r.ID,
			User:        r.User.Login,
			State:       r.State,
			CommitID:    r.CommitID,
			SubmittedAt: r.SubmittedAt.Time,
		})
	}
	return out
}

// comments lists every issue comment of the pull request.
func comments(ctx context.Context, gh *github.Client, owner, repo string, number int, bots botSet) ([]policy.Comment, error) {
	out := []policy.Comment{}
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: perPage}}
	for {
		page, resp, err := gh.Issues.ListComments(ctx, owner, repo, number, opts)
		if err != nil {
			return nil, fmt.Errorf("list comments of %s/%s#%d: %w", owner, repo, number, err)
		}
		for _, c := range page {
			if c.GetUser().GetLogin() == "" {
				continue
			}
			bots.add(c.GetUser())
			pc := policy.Comment{
				User:      c.GetUser().GetLogin(),
				Body:      c.GetBody(),
				CreatedAt: c.GetCreatedAt().Time,
			}
			if c.UpdatedAt != nil {
				// An edited override never counts: the policy compares.
				u := c.GetUpdatedAt().Time
				pc.UpdatedAt = &u
			}
			out = append(out, pc)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// OpenPRs lists the numbers of the open pull requests of owner/repo whose
// base is base (any base when empty), for the sweep and for re-evaluation
// after a push to a base branch.
func (g *Gatherer) OpenPRs(ctx context.Context, gh *github.Client, owner, repo, base string) ([]int, error) {
	var out []int
	opts := &github.PullRequestListOptions{State: "open", Base: base, ListOptions: github.ListOptions{PerPage: perPage}}
	for {
		page, resp, err := gh.PullRequests.List(ctx, owner, repo, opts)
		if err != nil {
			return nil, fmt.Errorf("list open pull requests of %s/%s: %w", owner, repo, err)
		}
		for _, pr := range page {
			out = append(out, pr.GetNumber())
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}
