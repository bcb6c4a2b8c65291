package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PRKey names one pull request. Jobs are keyed by Owner, Repo and Number;
// Installation is carried along for authenticating as the App.
type PRKey struct {
	Installation int64
	Owner, Repo  string
	Number       int
}

// String returns owner/repo#number.
func (k PRKey) String() string { return fmt.Sprintf("%s/%s#%d", k.Owner, k.Repo, k.Number) }

// Job is a claimed "re-evaluate this PR" job.
type Job struct {
	Key PRKey
	// Token identifies this claim; Complete, Retry and Release need it.
	Token string
	RunAt time.Time
	// Attempt counts failed runs (Retry) and lost leases since the job last
	// completed; 0 on a first run.
	Attempt int
}

// enqueueQuery upserts a PR's job; see Enqueue.
const enqueueQuery = `
		INSERT INTO jobs (installation, owner, repo, number, run_at_us)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (owner, repo, number) DO UPDATE SET
			installation = excluded.installation,
			run_at_us = CASE
				WHEN jobs.token IS NULL AND excluded.run_at_us < jobs.run_at_us THEN excluded.run_at_us
				ELSE jobs.run_at_us END,
			dirty = CASE WHEN jobs.token IS NOT NULL THEN TRUE ELSE jobs.dirty END,
			dirty_run_at_us = CASE
				WHEN jobs.token IS NULL THEN jobs.dirty_run_at_us
				WHEN jobs.dirty_run_at_us IS NULL OR excluded.run_at_us < jobs.dirty_run_at_us THEN excluded.run_at_us
				ELSE jobs.dirty_run_at_us END`

// Enqueue asks for the PR to be re-evaluated at runAt. Jobs coalesce: a PR
// has at most one pending job, due at the earliest runAt asked for. A job
// enqueued while the PR's job is claimed runs again after it completes.
func (s *Store) Enqueue(ctx context.Context, key PRKey, runAt time.Time) error {
	if err := validKey(key); err != nil {
		return err
	}
	_, err := s.exec(ctx, enqueueQuery, key.Installation, key.Owner, key.Repo, key.Number, micros(runAt))
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", key, err)
	}
	return nil
}

// Claim takes the earliest due job (runAt <= now) whose PR is not claimed
// by anyone else, leasing it until now+lease; nil, nil when none is due.
// A lease that runs out makes the job claimable again (a crashed worker),
// counting an attempt.
func (s *Store) Claim(ctx context.Context, worker string, now time.Time, lease time.Duration) (*Job, error) {
	if lease <= 0 {
		return nil, fmt.Errorf("claim: lease must be positive, got %v", lease)
	}
	var j *Job
	// A claim lost to a power cut is a job claimable again: lazy
	// (durability.go).
	err := s.inLazyTx(ctx, func(tx *sql.Tx) (err error) {
		if j, err = s.claimTx(ctx, tx, worker, now, lease); err == nil && j == nil {
			return sql.ErrNoRows // nothing written: roll back, commit nothing
		}
		return err
	})
	if errIsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	return j, nil
}

// claimTx claims the earliest due job in tx; nil, nil when none is due.
func (s *Store) claimTx(ctx context.Context, tx *sql.Tx, worker string, now time.Time, lease time.Duration) (*Job, error) {
	token, err := randomID()
	if err != nil {
		return nil, err
	}
	lock := ""
	if s.engine == enginePostgres {
		// Replicas skip rows another replica is claiming instead of queueing.
		lock = "FOR UPDATE SKIP LOCKED"
	}
	j := Job{Token: token}
	var runAt int64
	err = s.txQueryRow(ctx, tx, claimQuery(lock), token, worker, micros(now.Add(lease)), micros(now)).
		Scan(&j.Key.Installation, &j.Key.Owner, &j.Key.Repo, &j.Key.Number, &runAt, &j.Attempt)
	if errIsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	j.RunAt = fromMicros(runAt)
	return &j, nil
}

// claimQuery claims the earliest due job; lock is appended to its row
// lookup. A re-claim after a lost lease also covers an Enqueue made
// meanwhile if that one is already due; a later one stays dirty.
func claimQuery(lock string) string {
	return `
		UPDATE jobs SET
			token = $1, worker = $2, lease_until_us = $3,
			attempt = CASE WHEN token IS NULL THEN attempt ELSE attempt + 1 END,
			dirty = CASE WHEN dirty AND dirty_run_at_us <= $4 THEN FALSE ELSE dirty END,
			dirty_run_at_us = CASE WHEN dirty AND dirty_run_at_us <= $4 THEN NULL ELSE dirty_run_at_us END
		WHERE id = (
			SELECT id FROM jobs
			WHERE (token IS NULL AND run_at_us <= $4) OR (token IS NOT NULL AND lease_until_us <= $4)
			ORDER BY run_at_us, id
			LIMIT 1 ` + lock + `)
		RETURNING installation, owner, repo, number, run_at_us, attempt`
}

// Complete removes a claimed job, unless it was enqueued again meanwhile:
// then the job stays, due at the earliest time asked for, with its attempt
// count reset. It is [Store.Settle] with nothing staged.
func (s *Store) Complete(ctx context.Context, job *Job) error {
	return s.Settle(ctx, job, Settlement{}, nil)
}

// Retry releases a claimed job to run again at runAt, counting the attempt.
// An Enqueue made while claimed for an earlier time wins.
func (s *Store) Retry(ctx context.Context, job *Job, runAt time.Time) error {
	return s.Settle(ctx, job, Settlement{Retry: true, RunAt: runAt}, nil)
}

// Release gives a claimed job back without counting an attempt (a worker
// shutting down): it runs again at the earlier of its runAt and any
// Enqueue made while it was claimed.
func (s *Store) Release(ctx context.Context, job *Job) error {
	return s.Settle(ctx, job, Settlement{Release: true}, nil)
}

const (
	// completeQuery removes a claimed job nobody enqueued again.
	completeQuery = "DELETE FROM jobs WHERE owner = $1 AND repo = $2 AND number = $3 AND token = $4 AND NOT dirty"
	// completeDirtyQuery turns a claimed job enqueued again into a new
	// run. dirty is only ever set while claimed, so it cannot clear
	// between completeQuery and this; an Enqueue after completeQuery
	// inserts afresh.
	completeDirtyQuery = `
		UPDATE jobs SET token = NULL, worker = NULL, lease_until_us = NULL, attempt = 0,
			run_at_us = dirty_run_at_us, dirty = FALSE, dirty_run_at_us = NULL
		WHERE owner = $1 AND repo = $2 AND number = $3 AND token = $4 AND dirty`
	// releaseQuery gives a claimed job back to run at $6 (or earlier, if
	// enqueued meanwhile), adding $5 attempts.
	releaseQuery = `
		UPDATE jobs SET token = NULL, worker = NULL, lease_until_us = NULL,
			attempt = attempt + $5,
			run_at_us = CASE WHEN dirty AND dirty_run_at_us < $6 THEN dirty_run_at_us ELSE $6 END,
			dirty = FALSE, dirty_run_at_us = NULL
		WHERE owner = $1 AND repo = $2 AND number = $3 AND token = $4`
)

// NextDue returns the earliest time any job becomes claimable (a pending
// job's runAt or a claimed job's lease end), for sleeping; ok is false when
// there are no jobs.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var us sql.NullInt64
	err := s.queryRow(ctx,
		"SELECT MIN(CASE WHEN token IS NULL THEN run_at_us ELSE lease_until_us END) FROM jobs").Scan(&us)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next due: %w", err)
	}
	if !us.Valid {
		return time.Time{}, false, nil
	}
	return fromMicros(us.Int64), true, nil
}

// PendingJobs counts jobs, claimed or not (for a queue-depth metric).
func (s *Store) PendingJobs(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM jobs").Scan(&n); err != nil {
		return 0, fmt.Errorf("count jobs: %w", err)
	}
	return n, nil
}

// affected reports whether a statement changed at least one row.
func affected(res sql.Result) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n > 0, nil
}
