package act

import (
	"context"
	"errors"
	"fmt"

	"github.com/zgate-dev/zgate/app/mergequeue"
	"github.com/zgate-dev/zgate/app/store"
)

// A merge into a branch that requires a merge queue is not a REST merge
// (GitHub refuses it, 405) but "add to the queue": GraphQL
// enqueuePullRequest with the evaluated head as expectedHeadOid, the
// queue's equivalent of the merge's sha guard. The execution is done once
// GitHub holds the pull request in the queue (or merged it); the queue
// merges it when the merge group's required checks pass, zgate's among
// them (see docs/merge-queue.md). Enqueuing twice cannot happen: GitHub
// refuses a pull request already queued, and after a crash the pull
// request's state (merged, or in the queue) settles the intent first.

// queueRequired reports whether base requires a merge queue: GitHub's
// active rules for the branch (rulesets) hold a merge_queue rule.
func (r *execution) queueRequired(ctx context.Context, base string) (bool, error) {
	k := r.e.Key
	rules, _, err := r.gh.Repositories.GetRulesForBranch(ctx, k.Owner, k.Repo, base)
	if err != nil {
		return false, fmt.Errorf("read the rules of %s/%s branch %s: %w", k.Owner, k.Repo, base, err)
	}
	for _, rule := range rules {
		if rule.Type == "merge_queue" {
			return true, nil
		}
	}
	return false, nil
}

// base is the pull request's base branch, read from GitHub when the
// caller did not give it.
func (r *execution) base(ctx context.Context) (string, error) {
	if r.pr.Base != "" {
		return r.pr.Base, nil
	}
	k := r.e.Key
	pr, _, err := r.gh.PullRequests.Get(ctx, k.Owner, k.Repo, k.Number)
	if err != nil {
		return "", fmt.Errorf("read %s/%s#%d: %w", k.Owner, k.Repo, k.Number, err)
	}
	return pr.GetBase().GetRef(), nil
}

// queueState reads whether the pull request is merged or in the queue.
func (r *execution) queueState(ctx context.Context) (mergequeue.Pull, error) {
	k := r.e.Key
	return mergequeue.PullState(ctx, r.gh.Client(), mergequeue.Endpoint(r.gh.BaseURL), k.Owner, k.Repo, k.Number)
}

// enqueue adds the pull request to its base's merge queue at the
// evaluated head.
func (r *execution) enqueue(ctx context.Context) error {
	k := r.e.Key
	st, err := r.queueState(ctx)
	if err != nil {
		// Nothing was sent: stay in intent and try again.
		return fmt.Errorf("enqueue %s/%s#%d: %w", k.Owner, k.Repo, k.Number, err)
	}
	if done, detail := queuedOrMerged(st, r.e.HeadSHA); done {
		return r.finish(ctx, store.ExecDone, detail)
	}
	entry, err := mergequeue.Enqueue(ctx, r.gh.Client(), mergequeue.Endpoint(r.gh.BaseURL), st.ID, r.e.HeadSHA)
	var he *mergequeue.HTTPError
	switch {
	case err == nil:
		return r.finish(ctx, store.ExecDone, fmt.Sprintf("added to the merge queue at position %d (%s)", entry.Position, entry.State))
	case errors.Is(err, mergequeue.ErrGraphQL), errors.As(err, &he) && he.Status >= 400 && he.Status < 500:
		// GitHub refused (head moved, checks not green, queue off):
		// nothing happened, unless the refusal is "already queued".
		if st, rerr := r.queueState(ctx); rerr == nil {
			if done, detail := queuedOrMerged(st, r.e.HeadSHA); done {
				return r.finish(ctx, store.ExecDone, detail)
			}
		}
		return r.finish(ctx, store.ExecFailed, "merge queue refused: "+err.Error())
	}
	// No definite answer: the pull request may be queued now.
	callErr := err
	st, err = r.queueState(ctx)
	if err != nil {
		return fmt.Errorf("enqueue %s/%s#%d: %w; and reading its state to reconcile: %w", k.Owner, k.Repo, k.Number, callErr, err)
	}
	if done, detail := queuedOrMerged(st, r.e.HeadSHA); done {
		return r.finish(ctx, store.ExecDone, detail)
	}
	return r.finish(ctx, store.ExecFailed, "enqueue call failed and the pull request is not queued: "+callErr.Error())
}

// queuedOrMerged says whether st means the Z is done.
func queuedOrMerged(st mergequeue.Pull, head string) (bool, string) {
	switch {
	case st.Merged:
		return true, "merged"
	case st.IsInMergeQueue && st.HeadRefOid == head:
		return true, "in the merge queue at " + head
	case st.IsInMergeQueue:
		return true, fmt.Sprintf("in the merge queue with head %s (not the evaluated %s; queued outside zgate)", st.HeadRefOid, head)
	}
	return false, ""
}

// reconcileQueue settles a merge intent on a queue branch after a crash:
// merged or queued means done; otherwise the guarded enqueue is safe.
func (r *execution) reconcileQueue(ctx context.Context) (done bool, err error) {
	st, err := r.queueState(ctx)
	if err != nil {
		return true, fmt.Errorf("reconcile merge queue entry %s: %w", r.e.ID, err)
	}
	if ok, detail := queuedOrMerged(st, r.e.HeadSHA); ok {
		return true, r.finish(ctx, store.ExecDone, "reconciled: "+detail)
	}
	return false, nil
}
