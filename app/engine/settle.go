package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// settleClosed settles merge executions of a closed pull request that a
// crash left in intent: merged at the head the intent was for means the
// merge went through (done); closed unmerged, or merged at another head,
// means zgate's merge did not happen (failed). A dispatch intent is left to
// the executor's reconciliation and people.
func (e *Engine) settleClosed(ctx context.Context, log *slog.Logger, key store.PRKey, res *facts.Result) error {
	xs, err := e.cfg.Store.Executions(ctx, store.ExecIntent)
	if err != nil {
		return fmt.Errorf("settle executions of %s: %w", key, err)
	}
	for _, x := range xs {
		if x.Key.Owner != key.Owner || x.Key.Repo != key.Repo || x.Key.Number != key.Number || x.Kind != string(policy.ActionMerge) {
			continue
		}
		status, detail := store.ExecFailed, "reconciled: the pull request was closed without merging"
		switch {
		case res.PR.GetMerged() && res.HeadSHA == x.HeadSHA:
			status, detail = store.ExecDone, fmt.Sprintf("reconciled: merged as %s by %s", res.PR.GetMergeCommitSHA(), res.PR.GetMergedBy().GetLogin())
		case res.PR.GetMerged():
			detail = fmt.Sprintf("reconciled: merged at %s by %s, not at the head zgate approved", res.HeadSHA, res.PR.GetMergedBy().GetLogin())
		}
		build, err := e.cfg.Audit.Builder(audit.Entry{
			Kind: audit.KindExecution, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: x.Gate, HeadSHA: x.HeadSHA,
			Data: executionRecordData{ID: x.ID, Kind: x.Kind, Status: string(status), Detail: detail},
		})
		if err != nil {
			return fmt.Errorf("settle execution %s: %w", x.ID, err)
		}
		if err := e.cfg.Store.FinishExecutionAudited(ctx, x.ID, status, detail, e.now(), build); err != nil {
			return fmt.Errorf("settle execution %s: %w", x.ID, err)
		}
		log.Info("execution left in intent settled", "gate", x.Gate, "status", status, "detail", detail)
		e.cfg.Metrics.Executions.WithLabelValues(x.Kind, string(status)).Inc()
	}
	return nil
}
