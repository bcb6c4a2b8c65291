package act

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
)

// merge performs the SHA-guarded merge.
func (r *execution) merge(ctx context.Context) error {
	k := r.e.Key
	base, err := r.base(ctx)
	if err != nil {
		return fmt.Errorf("merge %s: %w", k, err)
	}
	// Never a REST merge into a branch that requires a merge queue; when
	// the rules cannot be read, nothing is merged yet (retried).
	queue, err := r.queueRequired(ctx, base)
	if err != nil {
		return fmt.Errorf("merge %s: %w", k, err)
	}
	if queue {
		return r.enqueue(ctx)
	}
	method := r.gate.Then.Merge.Method
	res, resp, err := r.gh.PullRequests.Merge(ctx, k.Owner, k.Repo, k.Number, "",
		&github.PullRequestOptions{SHA: r.e.HeadSHA, MergeMethod: method})
	switch {
	case err == nil && res.GetMerged():
		return r.finish(ctx, store.ExecDone, fmt.Sprintf("merged (%s) as %s", method, res.GetSHA()))
	case err == nil:
		return r.finish(ctx, store.ExecFailed, "GitHub did not merge: "+res.GetMessage())
	case resp != nil && resp.StatusCode == http.StatusConflict:
		return r.finish(ctx, store.ExecFailed, "head moved, not merged: "+message(err))
	case resp != nil && resp.StatusCode == http.StatusMethodNotAllowed:
		// Also what GitHub says when the PR is already merged: check.
		if merged, detail, rerr := r.readMerged(ctx); rerr == nil && merged {
			return r.finish(ctx, store.ExecDone, detail)
		}
		return r.finish(ctx, store.ExecFailed, "not mergeable: "+message(err))
	case definite(resp):
		return r.finish(ctx, store.ExecFailed, fmt.Sprintf("merge refused (%d): %s", resp.StatusCode, message(err)))
	}
	// No definite answer: the merge may have happened. GitHub's PR state
	// says whether it did.
	callErr := err
	merged, detail, err := r.readMerged(ctx)
	if err != nil {
		return fmt.Errorf("merge %s/%s#%d: %w; and reading the PR to reconcile: %w", k.Owner, k.Repo, k.Number, callErr, err)
	}
	if merged {
		return r.finish(ctx, store.ExecDone, detail)
	}
	return r.finish(ctx, store.ExecFailed, "merge call failed and the PR is not merged: "+message(callErr))
}

// readMerged reads whether the pull request is merged.
func (r *execution) readMerged(ctx context.Context) (merged bool, detail string, err error) {
	k := r.e.Key
	pr, _, err := r.gh.PullRequests.Get(ctx, k.Owner, k.Repo, k.Number)
	if err != nil {
		return false, "", fmt.Errorf("read %s/%s#%d: %w", k.Owner, k.Repo, k.Number, err)
	}
	if !pr.GetMerged() {
		return false, "", nil
	}
	detail = "merged as " + pr.GetMergeCommitSHA()
	if pr.GetHead().GetSHA() != r.e.HeadSHA {
		detail += fmt.Sprintf(" with head %s (not the evaluated %s; merged outside zgate)", pr.GetHead().GetSHA(), r.e.HeadSHA)
	}
	return true, detail, nil
}
