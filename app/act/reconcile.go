package act

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// maxRunPages bounds the workflow runs read when reconciling a dispatch.
const maxRunPages = 3

// reconcile settles an execution found in the intent state: the process
// stopped between recording the intent and recording the outcome. done
// means the outcome is now recorded and no call must be made.
func (r *execution) reconcile(ctx context.Context) (done bool, err error) {
	switch policy.ActionKind(r.e.Kind) {
	case policy.ActionMerge:
		merged, detail, err := r.readMerged(ctx)
		if err != nil {
			return false, fmt.Errorf("reconcile merge %s: %w", r.e.ID, err)
		}
		if merged {
			return true, r.finish(ctx, store.ExecDone, "reconciled: "+detail)
		}
		base, err := r.base(ctx)
		if err != nil {
			return true, fmt.Errorf("reconcile merge %s: %w", r.e.ID, err)
		}
		if queue, err := r.queueRequired(ctx, base); err != nil {
			return true, fmt.Errorf("reconcile merge %s: %w", r.e.ID, err)
		} else if queue {
			return r.reconcileQueue(ctx)
		}
		return false, nil // the SHA guard makes the retry safe
	case policy.ActionDispatch:
		run, err := r.findRun(ctx)
		if err != nil {
			// Stay in intent: the next Run lists again. Never re-send.
			return true, fmt.Errorf("reconcile dispatch %s: %w", r.e.ID, err)
		}
		if run != nil {
			return true, r.finish(ctx, store.ExecDone, fmt.Sprintf("reconciled: workflow run %d (%s)", run.GetID(), run.GetHTMLURL()))
		}
		return true, r.finish(ctx, store.ExecUnknown, "crashed while dispatching; no workflow run is named after "+r.e.ID+" (is run-name set from the zgate_id input?)")
	default:
		return true, r.finish(ctx, store.ExecUnknown, "crashed while sending repository_dispatch; GitHub keeps no record to check")
	}
}

// findRun looks for the workflow_dispatch run named after the execution
// id, among the most recent runs.
func (r *execution) findRun(ctx context.Context) (*github.WorkflowRun, error) {
	k := r.e.Key
	opts := &github.ListWorkflowRunsOptions{Event: "workflow_dispatch", ListOptions: github.ListOptions{PerPage: 100}}
	for range maxRunPages {
		runs, resp, err := r.gh.Actions.ListRepositoryWorkflowRuns(ctx, k.Owner, k.Repo, opts)
		if err != nil {
			return nil, fmt.Errorf("list workflow runs of %s/%s: %w", k.Owner, k.Repo, err)
		}
		for _, run := range runs.WorkflowRuns {
			if strings.Contains(run.GetName(), r.e.ID) || strings.Contains(run.GetDisplayTitle(), r.e.ID) {
				return run, nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return nil, nil
}
