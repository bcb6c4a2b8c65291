package facts

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/policy"
)

// GatherDeployment reads the facts about a deployment waiting on zgate's
// protection rule: those of the pull request that introduced the deployed
// commit (its author, pushers and comments, which hold the approve-deploy
// commands), the policy and CODEOWNERS of the default branch, and the
// attestations of the deployed commit, which stands for the head. The
// same policy.Evaluate then decides it, so every control that reads the
// head (attestations, signed decisions) reads the deployed commit.
//
// Fail closed: a commit no pull request introduced, or one merged into
// another branch than the default (whose policy decides deployments), is
// an unavailable fact, and no gate can pass.
func (g *Gatherer) GatherDeployment(ctx context.Context, gh *github.Client, owner, repo, defaultBranch string, d policy.Deployment) (*Result, error) {
	n, err := introducedBy(ctx, gh, owner, repo, d.SHA)
	if err != nil {
		return nil, err
	}
	var res *Result
	if n > 0 {
		if res, err = g.Gather(ctx, gh, owner, repo, n); err != nil {
			return nil, err
		}
		if res.BaseRef != defaultBranch {
			res.Facts.Unavailable = append(res.Facts.Unavailable, fmt.Sprintf(
				"pull request #%d, which introduced %s, is into %s, not the default branch %s whose policy decides deployments", n, short(d.SHA), res.BaseRef, defaultBranch))
		}
	} else {
		res = &Result{At: g.now(), HeadSHA: d.SHA, BaseRef: defaultBranch}
		f := &res.Facts
		f.Repository = owner + "/" + repo
		f.Teams, f.Reviews, f.Comments, f.Attestations = map[string][]string{}, []policy.Review{}, []policy.Comment{}, []policy.Attestation{}
		if err := g.loadConfig(ctx, gh, owner, repo, res); err != nil {
			return nil, err
		}
		if g.needs(res) != nil {
			g.gatherTeams(ctx, gh, res)
		}
		f.Unavailable = append(f.Unavailable, fmt.Sprintf("no pull request introduced %s, so nobody can have approved its deployment", short(d.SHA)))
	}
	dep := d
	res.Facts.Deployment = &dep
	if res.HeadSHA != d.SHA && g.needs(res) != nil {
		// Attestations bind to the deployed commit, not the pull
		// request's head.
		res.HeadSHA = d.SHA
		res.Facts.Attestations, res.Facts.RejectedAttestations = []policy.Attestation{}, nil
		g.gatherAttestations(ctx, gh, owner, repo, res)
		// So do signed decisions: the deployed commit must carry one.
		res.Facts.Decisions, res.Facts.RejectedDecisions = nil, nil
		g.gatherDecisions(ctx, gh, owner, repo, res)
	}
	res.HeadSHA = d.SHA
	return res, nil
}

// introducedBy returns the pull request that introduced sha: the one
// merged as sha, else the lowest-numbered one whose head is sha; 0 when
// there is none.
func introducedBy(ctx context.Context, gh *github.Client, owner, repo, sha string) (int, error) {
	var merged, head []int
	opt := &github.ListOptions{PerPage: 100}
	for {
		prs, resp, err := gh.PullRequests.ListPullRequestsWithCommit(ctx, owner, repo, sha, opt)
		if err != nil {
			return 0, fmt.Errorf("list pull requests of %s: %w", short(sha), err)
		}
		for _, p := range prs {
			switch {
			case strings.EqualFold(p.GetMergeCommitSHA(), sha) && p.GetMerged() || strings.EqualFold(p.GetMergeCommitSHA(), sha) && p.MergedAt != nil:
				merged = append(merged, p.GetNumber())
			case strings.EqualFold(p.GetHead().GetSHA(), sha):
				head = append(head, p.GetNumber())
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	for _, l := range [][]int{merged, head} {
		if len(l) > 0 {
			sort.Ints(l)
			return l[0], nil
		}
	}
	return 0, nil
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
