package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotUnknown is wrapped by [Store.ResolveExecution] when the execution
// is not waiting for a person: its outcome is known already.
var ErrNotUnknown = errors.New("store: execution outcome is not unknown")

const resolveExecutionQuery = `UPDATE executions SET status = $2, detail = $3, updated_us = $4
	WHERE id = $1 AND status = 'unknown'`

// ResolveExecution records a person's answer for an execution whose
// outcome is unknown: [ExecConfirmed] (the dispatch ran) or [ExecFailed]
// (it did not; the App may run it again). In one transaction it changes
// the status only while it is still unknown, appends build's audit record
// and enqueues a re-evaluation of the pull request due at at, so the
// running App rewrites the check run. It returns the execution as
// resolved; [ErrNotFound] or [ErrNotUnknown] when there is nothing to
// resolve.
func (s *Store) ResolveExecution(ctx context.Context, id string, to ExecutionStatus, detail string, at time.Time, build AuditBuilder) (Execution, error) {
	if to != ExecConfirmed && to != ExecFailed {
		return Execution{}, fmt.Errorf("resolve execution %s: want status confirmed or failed, got %q", id, to)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Execution{}, fmt.Errorf("resolve execution %s: begin: %w", id, err)
	}
	defer tx.Rollback()
	e, err := scanExecution(s.txQueryRow(ctx, tx, "SELECT "+executionColumns+" FROM executions WHERE id = $1", id))
	if errIsNoRows(err) {
		return Execution{}, fmt.Errorf("resolve execution %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Execution{}, fmt.Errorf("resolve execution %s: %w", id, err)
	}
	if e.Status != ExecUnknown {
		return e, fmt.Errorf("resolve execution %s: it is %s: %w", id, e.Status, ErrNotUnknown)
	}
	res, err := s.txExec(ctx, tx, resolveExecutionQuery, id, string(to), detail, micros(at))
	if err != nil {
		return Execution{}, fmt.Errorf("resolve execution %s: %w", id, err)
	}
	if ok, err := affected(res); err != nil || !ok {
		// Another resolver won between the read and the update.
		return Execution{}, fmt.Errorf("resolve execution %s: %w", id, errors.Join(err, ErrNotUnknown))
	}
	if build != nil {
		if _, err := s.appendAuditTx(ctx, tx, build); err != nil {
			return Execution{}, fmt.Errorf("resolve execution %s: %w", id, err)
		}
	}
	if _, err := s.txExec(ctx, tx, enqueueQuery, e.Key.Installation, e.Key.Owner, e.Key.Repo, e.Key.Number, micros(at)); err != nil {
		return Execution{}, fmt.Errorf("resolve execution %s: enqueue %s: %w", id, e.Key, err)
	}
	if err := s.commit(tx); err != nil {
		return Execution{}, fmt.Errorf("resolve execution %s: commit: %w", id, err)
	}
	e.Status, e.Detail, e.Updated = to, detail, fromMicros(micros(at))
	return e, nil
}
