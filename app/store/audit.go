package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// auditLockKey is the PostgreSQL advisory lock serialising audit appends.
const auditLockKey int64 = 0x7a67617465_02 // "zgate" + 2

// AuditRecord is one append-only, hash-chained audit log entry. The audit
// package computes Hash over PrevHash and the other fields.
type AuditRecord struct {
	Seq      int64
	Time     time.Time // stored to the microsecond: finer times are refused
	Kind     string    // decision, execution, override, webhook_rejected, ...
	Repo     string
	PR       int
	Gate     string
	HeadSHA  string
	Data     []byte // JSON
	PrevHash string
	Hash     string
	// KeyID names the key whose HMAC Hash is; empty for a plain SHA-256
	// record (see the audit package).
	KeyID string
}

// AuditBuilder builds the record to append from the last one (nil for the
// first). It runs inside the store's transaction and must not use the
// Store (on SQLite it would wait for itself).
type AuditBuilder func(last *AuditRecord) (AuditRecord, error)

const (
	auditColumns     = "seq, time_us, kind, repo, pr, gate, head_sha, data, prev_hash, hash, key_id"
	lastAuditQuery   = "SELECT " + auditColumns + " FROM audit ORDER BY seq DESC LIMIT 1"
	insertAuditQuery = "INSERT INTO audit (" + auditColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
)

// AppendAudit appends a record whose Seq is one past the last and whose
// PrevHash is the last Hash; build is called inside the transaction with
// the last record (nil for the first) and returns the record to insert.
// Concurrent appenders are serialised so the chain never forks.
func (s *Store) AppendAudit(ctx context.Context, build AuditBuilder) (AuditRecord, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return AuditRecord{}, fmt.Errorf("append audit: begin: %w", err)
	}
	defer tx.Rollback()
	rec, err := s.appendAuditTx(ctx, tx, build)
	if err != nil {
		return AuditRecord{}, err
	}
	if err := s.commit(tx); err != nil {
		return AuditRecord{}, fmt.Errorf("append audit seq %d: commit: %w", rec.Seq, err)
	}
	return rec, nil
}

// appendAuditTx appends build's record in tx. On PostgreSQL it takes the
// audit lock, held to the end of tx: callers writing other rows in tx do
// so before, so that a transaction holding the lock never waits for one
// waiting for it.
func (s *Store) appendAuditTx(ctx context.Context, tx *sql.Tx, build AuditBuilder) (AuditRecord, error) {
	if s.engine == enginePostgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", auditLockKey); err != nil {
			return AuditRecord{}, fmt.Errorf("append audit: lock: %w", err)
		}
	}
	var last *AuditRecord
	r, err := scanAudit(s.txQueryRow(ctx, tx, lastAuditQuery))
	switch {
	case errIsNoRows(err):
	case err != nil:
		return AuditRecord{}, fmt.Errorf("append audit: read last: %w", err)
	default:
		last = &r
	}
	rec, err := build(last)
	if err != nil {
		return AuditRecord{}, fmt.Errorf("append audit: build: %w", err)
	}
	if err := checkLink(last, rec); err != nil {
		return AuditRecord{}, fmt.Errorf("append audit: %w", err)
	}
	rec.Time = rec.Time.UTC()
	if _, err := s.txExec(ctx, tx, insertAuditQuery,
		rec.Seq, micros(rec.Time), rec.Kind, rec.Repo, rec.PR, rec.Gate, rec.HeadSHA, rec.Data, rec.PrevHash, rec.Hash, rec.KeyID); err != nil {
		return AuditRecord{}, fmt.Errorf("append audit seq %d: %w", rec.Seq, err)
	}
	return rec, nil
}

// LastAudit returns the last record of the audit log, or ErrNotFound when
// it is empty.
func (s *Store) LastAudit(ctx context.Context) (AuditRecord, error) {
	r, err := scanAudit(s.queryRow(ctx, lastAuditQuery))
	if errIsNoRows(err) {
		return AuditRecord{}, fmt.Errorf("last audit record: %w", ErrNotFound)
	}
	if err != nil {
		return AuditRecord{}, fmt.Errorf("last audit record: %w", err)
	}
	return r, nil
}

// checkLink refuses a record that would not chain onto last, or whose time
// would not survive storage unchanged (its hash would no longer verify).
func checkLink(last *AuditRecord, rec AuditRecord) error {
	want := int64(1)
	if last != nil {
		want = last.Seq + 1
		if rec.PrevHash != last.Hash {
			return fmt.Errorf("record prev_hash %q does not match last hash %q", rec.PrevHash, last.Hash)
		}
	}
	if rec.Seq != want {
		return fmt.Errorf("record seq %d, want %d", rec.Seq, want)
	}
	if rec.Hash == "" {
		return fmt.Errorf("record seq %d has no hash", rec.Seq)
	}
	if rec.Time.IsZero() || rec.Time.Nanosecond()%1000 != 0 {
		return fmt.Errorf("record seq %d: time %v must be set and whole microseconds", rec.Seq, rec.Time)
	}
	return nil
}

// AuditRecords returns records with Seq > after, oldest first, at most limit.
func (s *Store) AuditRecords(ctx context.Context, after int64, limit int) ([]AuditRecord, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("audit records: limit must be positive, got %d", limit)
	}
	rows, err := s.query(ctx,
		"SELECT "+auditColumns+" FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2", after, limit)
	if err != nil {
		return nil, fmt.Errorf("audit records after %d: %w", after, err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("audit records after %d: %w", after, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit records after %d: %w", after, err)
	}
	return out, nil
}

func scanAudit(r scanner) (AuditRecord, error) {
	var a AuditRecord
	var us int64
	if err := r.Scan(&a.Seq, &us, &a.Kind, &a.Repo, &a.PR, &a.Gate, &a.HeadSHA, &a.Data, &a.PrevHash, &a.Hash, &a.KeyID); err != nil {
		return AuditRecord{}, err
	}
	a.Time = fromMicros(us)
	return a, nil
}
