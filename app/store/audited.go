package store

import (
	"context"
	"fmt"
	"time"
)

// An execution's state and its audit record are written in one
// transaction: a process killed after GitHub answered a Z leaves either
// both (the outcome and its record) or neither (the intent, which the next
// run reconciles with GitHub), never a Z without its record.

// BeginExecutionAudited is [Store.BeginExecution] that, when it creates the
// execution, appends build's audit record in the same transaction. An
// execution that already exists is returned as stored and nothing is
// appended; a nil build appends nothing.
func (s *Store) BeginExecutionAudited(ctx context.Context, e Execution, build AuditBuilder) (stored Execution, created bool, err error) {
	if build == nil {
		return s.BeginExecution(ctx, e)
	}
	e, err = newExecution(e)
	if err != nil {
		return Execution{}, false, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Execution{}, false, fmt.Errorf("begin execution %s: begin: %w", e.Key, err)
	}
	defer tx.Rollback()
	res, err := s.txExec(ctx, tx, insertExecutionQuery, executionArgs(e)...)
	if err != nil {
		return Execution{}, false, fmt.Errorf("begin execution %s %s@%s: %w", e.Key, e.Gate, e.HeadSHA, err)
	}
	ok, err := affected(res)
	if err != nil {
		return Execution{}, false, fmt.Errorf("begin execution %s: %w", e.Key, err)
	}
	if !ok {
		row := s.txQueryRow(ctx, tx, sameExecutionQuery, e.Key.Owner, e.Key.Repo, e.Key.Number, e.Gate, e.HeadSHA)
		if stored, err = scanExecution(row); err != nil {
			return Execution{}, false, fmt.Errorf("begin execution %s: read existing: %w", e.Key, err)
		}
		return stored, false, nil
	}
	if _, err := s.appendAuditTx(ctx, tx, build); err != nil {
		return Execution{}, false, fmt.Errorf("begin execution %s: %w", e.Key, err)
	}
	if err := s.commit(tx); err != nil {
		return Execution{}, false, fmt.Errorf("begin execution %s: commit: %w", e.Key, err)
	}
	return e, true, nil
}

// FinishExecutionAudited is [Store.FinishExecution] that also appends
// build's audit record, in the same transaction; a nil build appends
// nothing.
func (s *Store) FinishExecutionAudited(ctx context.Context, id string, status ExecutionStatus, detail string, at time.Time, build AuditBuilder) error {
	if build == nil {
		return s.FinishExecution(ctx, id, status, detail, at)
	}
	if !status.valid() {
		return fmt.Errorf("finish execution %s: unknown status %q", id, status)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("finish execution %s: begin: %w", id, err)
	}
	defer tx.Rollback()
	res, err := s.txExec(ctx, tx, finishExecutionQuery, id, string(status), detail, micros(at))
	if err != nil {
		return fmt.Errorf("finish execution %s: %w", id, err)
	}
	ok, err := affected(res)
	if err != nil {
		return fmt.Errorf("finish execution %s: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("finish execution %s: %w", id, ErrNotFound)
	}
	if _, err := s.appendAuditTx(ctx, tx, build); err != nil {
		return fmt.Errorf("finish execution %s: %w", id, err)
	}
	if err := s.commit(tx); err != nil {
		return fmt.Errorf("finish execution %s: commit: %w", id, err)
	}
	return nil
}
