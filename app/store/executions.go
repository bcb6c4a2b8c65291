package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ExecutionStatus is the state of one Z.
type ExecutionStatus string

const (
	ExecIntent    ExecutionStatus = "intent"    // recorded, call not known to be made
	ExecDone      ExecutionStatus = "done"      // the call succeeded
	ExecFailed    ExecutionStatus = "failed"    // the call failed for sure; may retry
	ExecUnknown   ExecutionStatus = "unknown"   // a dispatch may or may not have gone out
	ExecConfirmed ExecutionStatus = "confirmed" // a person resolved an unknown one
)

// valid reports whether st is one of the known statuses.
func (st ExecutionStatus) valid() bool {
	switch st {
	case ExecIntent, ExecDone, ExecFailed, ExecUnknown, ExecConfirmed:
		return true
	}
	return false
}

// Execution is one Z for (repo, PR, gate, head SHA).
type Execution struct {
	ID      string // unique, passed to dispatches as zgate_id
	Key     PRKey
	Gate    string
	HeadSHA string
	Kind    string // merge, dispatch, repository_dispatch
	Status  ExecutionStatus
	Detail  string
	Created time.Time
	Updated time.Time
}

const executionColumns = `id, installation, owner, repo, number, gate, head_sha, kind, status, detail, created_us, updated_us`

// BeginExecution records the intent to run Z. created is false when an
// execution for the same (repo, PR, gate, head SHA) exists; it is returned
// as stored and the caller must reconcile instead of acting.
//
// An empty ID gets a random one, an empty Status is [ExecIntent], a zero
// Created is the current time and a zero Updated is Created.
func (s *Store) BeginExecution(ctx context.Context, e Execution) (stored Execution, created bool, err error) {
	e, err = newExecution(e)
	if err != nil {
		return Execution{}, false, err
	}
	res, err := s.exec(ctx, insertExecutionQuery, executionArgs(e)...)
	if err != nil {
		return Execution{}, false, fmt.Errorf("begin execution %s %s@%s: %w", e.Key, e.Gate, e.HeadSHA, err)
	}
	if ok, err := affected(res); err != nil {
		return Execution{}, false, fmt.Errorf("begin execution %s: %w", e.Key, err)
	} else if ok {
		return e, true, nil
	}
	row := s.queryRow(ctx, sameExecutionQuery, e.Key.Owner, e.Key.Repo, e.Key.Number, e.Gate, e.HeadSHA)
	stored, err = scanExecution(row)
	if err != nil {
		return Execution{}, false, fmt.Errorf("begin execution %s: read existing: %w", e.Key, err)
	}
	return stored, false, nil
}

const (
	insertExecutionQuery = `
		INSERT INTO executions (` + executionColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (owner, repo, number, gate, head_sha) DO NOTHING`
	sameExecutionQuery = `SELECT ` + executionColumns + ` FROM executions
		WHERE owner = $1 AND repo = $2 AND number = $3 AND gate = $4 AND head_sha = $5`
	finishExecutionQuery = "UPDATE executions SET status = $2, detail = $3, updated_us = $4 WHERE id = $1"
)

// newExecution checks e and fills the defaults BeginExecution documents.
func newExecution(e Execution) (Execution, error) {
	if e.Key.Owner == "" || e.Key.Repo == "" || e.Key.Number <= 0 || e.Gate == "" || e.HeadSHA == "" {
		return Execution{}, fmt.Errorf("begin execution: repo, PR, gate and head SHA are required")
	}
	if e.ID == "" {
		id, err := randomID()
		if err != nil {
			return Execution{}, fmt.Errorf("begin execution: %w", err)
		}
		e.ID = id
	}
	if e.Status == "" {
		e.Status = ExecIntent
	}
	if !e.Status.valid() {
		return Execution{}, fmt.Errorf("begin execution: unknown status %q", e.Status)
	}
	if e.Created.IsZero() {
		e.Created = nowUTC()
	}
	if e.Updated.IsZero() {
		e.Updated = e.Created
	}
	e.Created = fromMicros(micros(e.Created))
	e.Updated = fromMicros(micros(e.Updated))
	return e, nil
}

// executionArgs are the arguments of insertExecutionQuery.
func executionArgs(e Execution) []any {
	return []any{e.ID, e.Key.Installation, e.Key.Owner, e.Key.Repo, e.Key.Number, e.Gate, e.HeadSHA,
		e.Kind, string(e.Status), e.Detail, micros(e.Created), micros(e.Updated)}
}

// FinishExecution sets the status and detail of an execution.
func (s *Store) FinishExecution(ctx context.Context, id string, status ExecutionStatus, detail string, at time.Time) error {
	if !status.valid() {
		return fmt.Errorf("finish execution %s: unknown status %q", id, status)
	}
	res, err := s.exec(ctx, finishExecutionQuery, id, string(status), detail, micros(at))
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
	return nil
}

// Execution returns the execution with the given id, or ErrNotFound.
func (s *Store) Execution(ctx context.Context, id string) (Execution, error) {
	row := s.queryRow(ctx, "SELECT "+executionColumns+" FROM executions WHERE id = $1", id)
	e, err := scanExecution(row)
	if errIsNoRows(err) {
		return Execution{}, fmt.Errorf("execution %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Execution{}, fmt.Errorf("execution %s: %w", id, err)
	}
	return e, nil
}

// Executions lists executions with the given status (all when empty),
// oldest first.
func (s *Store) Executions(ctx context.Context, status ExecutionStatus) ([]Execution, error) {
	q := "SELECT " + executionColumns + " FROM executions"
	var args []any
	if status != "" {
		q += " WHERE status = $1"
		args = append(args, string(status))
	}
	q += " ORDER BY created_us, id"
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list executions: %w", err)
	}
	defer rows.Close()
	var out []Execution
	for rows.Next() {
		e, err := scanExecution(rows)
		if err != nil {
			return nil, fmt.Errorf("list executions: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list executions: %w", err)
	}
	return out, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanExecution(r scanner) (Execution, error) {
	var e Execution
	var status string
	var created, updated int64
	err := r.Scan(&e.ID, &e.Key.Installation, &e.Key.Owner, &e.Key.Repo, &e.Key.Number,
		&e.Gate, &e.HeadSHA, &e.Kind, &status, &e.Detail, &created, &updated)
	if err != nil {
		return Execution{}, err
	}
	e.Status = ExecutionStatus(status)
	e.Created, e.Updated = fromMicros(created), fromMicros(updated)
	return e, nil
}

var _ scanner = (*sql.Row)(nil)
