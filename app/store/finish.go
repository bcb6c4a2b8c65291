package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// A job's run writes little, but each write committed on its own costs a
// transaction: on SQLite a turn of the single writer and an fsync. So the
// writes that only record what the run did — check-run fingerprints,
// audit records of decisions, the timer of the next run — are staged in
// a [Finish] and committed in one transaction with the settlement of the
// job ([Store.Settle]). Committed together they also stay consistent: a
// crash before the commit loses the fingerprint and the audit record
// alike, so the next run writes the check run again and audits it, where
// a fingerprint committed without its record would hide the change for
// good. What must be durable before GitHub is called (a Z's intent) is
// never staged: [Store.BeginExecutionAudited] commits at once.

// Finish holds the writes staged by one run of a job. It is safe for
// concurrent use. Reads of fingerprints see the staged writes first.
type Finish struct {
	s *Store

	mu     sync.Mutex
	checks []checkWrite
	latest map[checkKey]int // index in checks of the latest write per check
	jobs   []jobWrite
	audits []AuditBuilder
}

type checkKey struct{ owner, repo, sha, name string }

type checkWrite struct {
	checkKey
	runID       int64
	fingerprint string
	status      string
	at          time.Time
}

type jobWrite struct {
	key PRKey
	at  time.Time
}

// NewFinish returns an empty Finish over s.
func (s *Store) NewFinish() *Finish { return &Finish{s: s} }

// CheckFingerprint is [Store.CheckFingerprint] seeing the staged writes.
func (f *Finish) CheckFingerprint(ctx context.Context, owner, repo, sha, check string) (runID int64, fingerprint string, err error) {
	st, err := f.CheckRun(ctx, owner, repo, sha, check)
	return st.RunID, st.Fingerprint, err
}

// SetCheckFingerprint stages [Store.SetCheckFingerprint].
func (f *Finish) SetCheckFingerprint(_ context.Context, owner, repo, sha, check string, runID int64, fingerprint string) error {
	f.stageCheck(checkWrite{checkKey: checkKey{owner, repo, sha, check}, runID: runID, fingerprint: fingerprint, at: nowUTC()})
	return nil
}

// CheckRun is [Store.CheckRun] seeing the staged writes.
func (f *Finish) CheckRun(ctx context.Context, owner, repo, sha, check string) (CheckRunState, error) {
	f.mu.Lock()
	i, ok := f.latest[checkKey{owner, repo, sha, check}]
	var w checkWrite
	if ok {
		w = f.checks[i]
	}
	f.mu.Unlock()
	if ok {
		return CheckRunState{RunID: w.runID, Fingerprint: w.fingerprint, Status: w.status}, nil
	}
	return f.s.CheckRun(ctx, owner, repo, sha, check)
}

// SetCheckRun stages [Store.SetCheckRun], except a write that marks the
// run's status unknown: the publisher writes one before completing a run,
// so that a completion whose outcome goes unrecorded is never taken for a
// run still in progress (and reopened with its stale conclusion). That
// write must be committed before GitHub is called, so it is committed now
// (durably, or lazily where [Store.SetCheckRun] says).
func (f *Finish) SetCheckRun(ctx context.Context, owner, repo, sha, check string, st CheckRunState) error {
	if st.Status == "" {
		if err := f.s.SetCheckRun(ctx, owner, repo, sha, check, st); err != nil {
			return err
		}
	}
	f.stageCheck(checkWrite{checkKey: checkKey{owner, repo, sha, check}, runID: st.RunID, fingerprint: st.Fingerprint, status: st.Status, at: nowUTC()})
	return nil
}

func (f *Finish) stageCheck(w checkWrite) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.latest == nil {
		f.latest = map[checkKey]int{}
	}
	f.latest[w.checkKey] = len(f.checks)
	f.checks = append(f.checks, w)
}

// Enqueue stages [Store.Enqueue].
func (f *Finish) Enqueue(key PRKey, runAt time.Time) error {
	if err := validKey(key); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs = append(f.jobs, jobWrite{key, runAt})
	return nil
}

// AppendAudit stages [Store.AppendAudit]: build runs in the committing
// transaction, after every record staged before it.
func (f *Finish) AppendAudit(build AuditBuilder) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.audits = append(f.audits, build)
}

// Jobs counts the staged enqueues.
func (f *Finish) Jobs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.jobs)
}

// Empty reports whether nothing is staged.
func (f *Finish) Empty() bool {
	if f == nil {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.checks) == 0 && len(f.jobs) == 0 && len(f.audits) == 0
}

// take empties f and returns what it held.
func (f *Finish) take() (checks []checkWrite, jobs []jobWrite, audits []AuditBuilder) {
	f.mu.Lock()
	defer f.mu.Unlock()
	checks, jobs, audits = f.checks, f.jobs, f.audits
	f.checks, f.jobs, f.audits, f.latest = nil, nil, nil, nil
	return checks, jobs, audits
}

// restore puts back what take returned, before anything staged since.
func (f *Finish) restore(checks []checkWrite, jobs []jobWrite, audits []AuditBuilder) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checks = append(checks, f.checks...)
	f.jobs = append(jobs, f.jobs...)
	f.audits = append(audits, f.audits...)
	f.latest = map[checkKey]int{}
	for i, c := range f.checks {
		f.latest[c.checkKey] = i
	}
}

// Settlement says how [Store.Settle] ends a claim: complete it (the
// zero value), retry it at RunAt counting an attempt, or release it
// without counting one.
type Settlement struct {
	Retry   bool
	RunAt   time.Time // for Retry
	Release bool
}

// Settle commits fin's staged writes (nil: none) and settles the claimed
// job in one transaction. Completing removes the job unless it was
// enqueued again meanwhile (also by fin): then it stays, due at the
// earliest time asked for, its attempt count reset. Retry and Release
// give it back (see [Store.Retry], [Store.Release]); an Enqueue made
// while it was claimed, for an earlier time, wins.
//
// When the claim was lost (the lease ran out and another worker claimed
// the job), the staged writes are committed all the same — they record
// what this run did on GitHub — and the error wraps [ErrClaimLost]. On
// any other error nothing is committed and fin keeps its writes, for a
// later Settle or [Store.Flush].
func (s *Store) Settle(ctx context.Context, job *Job, how Settlement, fin *Finish) error {
	_, err := s.settle(ctx, job, how, fin, nil)
	return err
}

// NextClaim asks [Store.SettleAndClaim] to claim the next due job for
// Worker, as [Store.Claim] does.
type NextClaim struct {
	Worker string
	Now    time.Time
	Lease  time.Duration
}

// SettleAndClaim is [Store.Settle] followed, in the same transaction, by
// [Store.Claim]: a worker that finished a job takes its next one without
// a commit of its own (one transaction per job rather than two when jobs
// are waiting, and no empty claim when none is). next is nil when no job
// was due, and whenever err is set but for [ErrClaimLost] (then nothing
// was committed).
func (s *Store) SettleAndClaim(ctx context.Context, job *Job, how Settlement, fin *Finish, c NextClaim) (next *Job, err error) {
	if c.Lease <= 0 {
		return nil, fmt.Errorf("settle and claim: lease must be positive, got %v", c.Lease)
	}
	return s.settle(ctx, job, how, fin, &c)
}

func (s *Store) settle(ctx context.Context, job *Job, how Settlement, fin *Finish, c *NextClaim) (next *Job, err error) {
	k := job.Key
	op := "complete"
	switch {
	case how.Retry && how.Release:
		return nil, fmt.Errorf("settle %s: retry and release both asked", k)
	case how.Retry:
		op = "retry"
	case how.Release:
		op = "release"
	}
	held := false
	err = s.finishTx(ctx, fin, func(tx *sql.Tx) error {
		var err error
		next = nil // a transaction run again claims again
		if held, err = s.settleTx(ctx, tx, job, how); err != nil || c == nil {
			return err
		}
		next, err = s.claimTx(ctx, tx, c.Worker, c.Now, c.Lease)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, k, err)
	}
	if !held {
		return next, fmt.Errorf("%s %s: %w", op, k, ErrClaimLost)
	}
	return next, nil
}

// Flush commits fin's staged writes in one transaction, without settling
// a job: before a Z, so that the audit log has the decision before the
// execution's records. On error nothing is committed and fin keeps its
// writes.
func (s *Store) Flush(ctx context.Context, fin *Finish) error {
	if fin.Empty() {
		return nil
	}
	if err := s.finishTx(ctx, fin, nil); err != nil {
		return fmt.Errorf("flush staged writes: %w", err)
	}
	return nil
}

// finishTx commits fin's writes and then settle's in one transaction.
// Audit records come last: on PostgreSQL their lock is then held only
// while nothing else is waited for (see appendAuditTx).
func (s *Store) finishTx(ctx context.Context, fin *Finish, settle func(tx *sql.Tx) error) (err error) {
	var checks []checkWrite
	var jobs []jobWrite
	var audits []AuditBuilder
	if fin != nil {
		checks, jobs, audits = fin.take()
		defer func() {
			if err != nil {
				fin.restore(checks, jobs, audits)
			}
		}()
	}
	// Rows are locked in one order — check runs, then jobs, each by key,
	// then the audit lock — so that two finishes on PostgreSQL (of one
	// pull request, when a lease ran out) never wait for each other in a
	// cycle; only the latest write of a check run matters.
	checks = latestChecks(checks)
	slices.SortFunc(jobs, func(a, b jobWrite) int { return compareKeys(a.key, b.key) })
	tx := func(tx *sql.Tx) error {
		for _, c := range checks {
			if _, err := s.txExec(ctx, tx, setCheckRunQuery, c.owner, c.repo, c.sha, c.name, c.runID, c.fingerprint, c.status, micros(c.at)); err != nil {
				return fmt.Errorf("set check fingerprint %s/%s@%s %s: %w", c.owner, c.repo, c.sha, c.name, err)
			}
		}
		for _, j := range jobs {
			if _, err := s.txExec(ctx, tx, enqueueQuery, j.key.Installation, j.key.Owner, j.key.Repo, j.key.Number, micros(j.at)); err != nil {
				return fmt.Errorf("enqueue %s: %w", j.key, err)
			}
		}
		if settle != nil {
			if err := settle(tx); err != nil {
				return err
			}
		}
		for _, b := range audits {
			if _, err := s.appendAuditTx(ctx, tx, b); err != nil {
				return err
			}
		}
		return nil
	}
	// What a run staged — check-run states, timers, audit records — is
	// rebuilt or re-checked from GitHub after a power cut, and Sync comes
	// before any audit checkpoint: lazy (durability.go). A check run's
	// state marked unknown before completing it is not staged: durable.
	err = s.inLazyTx(ctx, tx)
	for i := 0; i < 2 && s.engine == enginePostgres && rolledBack(err) && ctx.Err() == nil; i++ {
		err = s.inLazyTx(ctx, tx)
	}
	return err
}

// latestChecks keeps the latest write of each check run, in key order.
func latestChecks(in []checkWrite) []checkWrite {
	seen := map[checkKey]int{}
	var out []checkWrite
	for _, c := range in {
		if i, ok := seen[c.checkKey]; ok {
			out[i] = c
			continue
		}
		seen[c.checkKey] = len(out)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b checkWrite) int {
		return cmp.Or(strings.Compare(a.owner, b.owner), strings.Compare(a.repo, b.repo),
			strings.Compare(a.sha, b.sha), strings.Compare(a.name, b.name))
	})
	return out
}

// compareKeys orders PR keys, for locking rows in one order.
func compareKeys(a, b PRKey) int {
	return cmp.Or(strings.Compare(a.Owner, b.Owner), strings.Compare(a.Repo, b.Repo), cmp.Compare(a.Number, b.Number))
}

// rolledBack reports whether PostgreSQL aborted the transaction for a
// deadlock or a serialization failure: nothing was committed, so running
// it again is safe.
func rolledBack(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// settleTx settles job in tx; held is false when the claim was lost.
func (s *Store) settleTx(ctx context.Context, tx *sql.Tx, job *Job, how Settlement) (held bool, err error) {
	k := job.Key
	if how.Retry || how.Release {
		inc, runAt := 0, job.RunAt
		if how.Retry {
			inc, runAt = 1, how.RunAt
		}
		res, err := s.txExec(ctx, tx, releaseQuery, k.Owner, k.Repo, k.Number, job.Token, inc, micros(runAt))
		if err != nil {
			return false, err
		}
		return affected(res)
	}
	res, err := s.txExec(ctx, tx, completeQuery, k.Owner, k.Repo, k.Number, job.Token)
	if err != nil {
		return false, err
	}
	if done, err := affected(res); err != nil || done {
		return done, err
	}
	res, err = s.txExec(ctx, tx, completeDirtyQuery, k.Owner, k.Repo, k.Number, job.Token)
	if err != nil {
		return false, err
	}
	return affected(res)
}

// inTx runs f in a transaction on the writer and commits it (counted in
// [Store.Commits]).
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	return s.runTx(tx, err, f)
}

// runTx runs f in tx, which began with err, and commits it.
func (s *Store) runTx(tx *sql.Tx, err error, f func(tx *sql.Tx) error) error {
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	if err := s.commit(tx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// validKey refuses a PR key without owner, repo or number.
func validKey(key PRKey) error {
	if key.Owner == "" || key.Repo == "" || key.Number <= 0 {
		return fmt.Errorf("enqueue %s: incomplete PR key", key)
	}
	return nil
}
