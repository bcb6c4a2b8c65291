// Package store keeps zgate's durable state: webhook deliveries (for
// dedupe), the per-PR job queue with its timers, Z executions (so Z runs
// once), check-run fingerprints and the audit log. One contract, two
// engines: embedded SQLite (default, "sqlite:PATH") and PostgreSQL
// ("postgres://...") for several replicas.
//
// CONTRACT STUB: the store helper replaces the bodies; signatures are the
// contract the app codes against.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("store: not found")

// Store is an open database.
type Store struct{}

// Open opens (and migrates) the database named by dsn: "sqlite:PATH",
// "sqlite::memory:" or "postgres://...".
func Open(ctx context.Context, dsn string) (*Store, error) { panic("unimplemented") }

// Close releases the database.
func (s *Store) Close() error { panic("unimplemented") }

// Ping reports whether the database is reachable (for /readyz).
func (s *Store) Ping(ctx context.Context) error { panic("unimplemented") }

// PRKey names one pull request.
type PRKey struct {
	Installation int64
	Owner, Repo  string
	Number       int
}

// RecordDelivery stores a webhook delivery once; new is false when the
// delivery id was seen before (a replay), in which case nothing changes.
func (s *Store) RecordDelivery(ctx context.Context, id, event string, received time.Time) (new bool, err error) {
	panic("unimplemented")
}

// Job is a claimed "re-evaluate this PR" job.
type Job struct {
	Key PRKey
	// Token identifies this claim; Complete and Release need it.
	Token   string
	RunAt   time.Time
	Attempt int
}

// Enqueue asks for the PR to be re-evaluated at runAt. Jobs coalesce: a PR
// has at most one pending job, due at the earliest runAt asked for. A job
// enqueued while the PR's job is claimed runs again after it completes.
func (s *Store) Enqueue(ctx context.Context, key PRKey, runAt time.Time) error {
	panic("unimplemented")
}

// Claim takes the earliest due job (runAt <= now) whose PR is not claimed
// by anyone else, leasing it until now+lease; nil, nil when none is due.
// A lease that runs out makes the job claimable again (a crashed worker).
func (s *Store) Claim(ctx context.Context, worker string, now time.Time, lease time.Duration) (*Job, error) {
	panic("unimplemented")
}

// Complete removes a claimed job, unless it was enqueued again meanwhile.
func (s *Store) Complete(ctx context.Context, job *Job) error { panic("unimplemented") }

// Retry releases a claimed job to run again at runAt, counting the attempt.
func (s *Store) Retry(ctx context.Context, job *Job, runAt time.Time) error {
	panic("unimplemented")
}

// NextDue returns the earliest runAt of any pending job, for sleeping.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) { panic("unimplemented") }

// ExecutionStatus is the state of one Z.
type ExecutionStatus string

const (
	ExecIntent    ExecutionStatus = "intent"    // recorded, call not known to be made
	ExecDone      ExecutionStatus = "done"      // the call succeeded
	ExecFailed    ExecutionStatus = "failed"    // the call failed for sure; may retry
	ExecUnknown   ExecutionStatus = "unknown"   // a dispatch may or may not have gone out
	ExecConfirmed ExecutionStatus = "confirmed" // a person resolved an unknown one
)

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

// BeginExecution records the intent to run Z. created is false when an
// execution for the same (repo, PR, gate, head SHA) exists; it is returned
// as stored and the caller must reconcile instead of acting.
func (s *Store) BeginExecution(ctx context.Context, e Execution) (stored Execution, created bool, err error) {
	panic("unimplemented")
}

// FinishExecution sets the status and detail of an execution.
func (s *Store) FinishExecution(ctx context.Context, id string, status ExecutionStatus, detail string, at time.Time) error {
	panic("unimplemented")
}

// Executions lists executions with the given status (all when empty).
func (s *Store) Executions(ctx context.Context, status ExecutionStatus) ([]Execution, error) {
	panic("unimplemented")
}

// CheckFingerprint returns the fingerprint last written for a check run
// on a commit, so unchanged check runs are not rewritten.
func (s *Store) CheckFingerprint(ctx context.Context, owner, repo, sha, check string) (runID int64, fingerprint string, err error) {
	panic("unimplemented")
}

// SetCheckFingerprint records the check run id and fingerprint.
func (s *Store) SetCheckFingerprint(ctx context.Context, owner, repo, sha, check string, runID int64, fingerprint string) error {
	panic("unimplemented")
}

// AuditRecord is one append-only, hash-chained audit log entry. The audit
// package computes Hash over PrevHash and the other fields.
type AuditRecord struct {
	Seq      int64
	Time     time.Time
	Kind     string // decision, execution, override, webhook_rejected, ...
	Repo     string
	PR       int
	Gate     string
	HeadSHA  string
	Data     []byte // JSON
	PrevHash string
	Hash     string
}

// AppendAudit appends a record whose Seq is one past the last and whose
// PrevHash is the last Hash; build is called inside the transaction with
// the last record (nil for the first) and returns the record to insert.
// Concurrent appenders are serialised so the chain never forks.
func (s *Store) AppendAudit(ctx context.Context, build func(last *AuditRecord) (AuditRecord, error)) (AuditRecord, error) {
	panic("unimplemented")
}

// AuditRecords returns records with Seq > after, oldest first, at most limit.
func (s *Store) AuditRecords(ctx context.Context, after int64, limit int) ([]AuditRecord, error) {
	panic("unimplemented")
}
