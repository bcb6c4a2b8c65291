package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// GateHead names one gate of one head of a pull request: what the approval
// latency SLI is measured on.
type GateHead struct {
	Owner, Repo string
	Number      int
	HeadSHA     string
	Gate        string
}

func (g GateHead) String() string {
	return fmt.Sprintf("%s/%s#%d@%s/%s", g.Owner, g.Repo, g.Number, g.HeadSHA, g.Gate)
}

func (g GateHead) args() []any {
	return []any{g.Owner, g.Repo, g.Number, strings.ToLower(g.HeadSHA), g.Gate}
}

// GatePending records that g was evaluated pending at at, unless an
// earlier pending evaluation of g is recorded: the row keeps the first.
func (s *Store) GatePending(ctx context.Context, g GateHead, at time.Time) error {
	_, err := s.exec(ctx, `
		INSERT INTO gate_pending (owner, repo, number, head_sha, gate, pending_us) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (owner, repo, number, head_sha, gate) DO UPDATE SET
			pending_us = CASE WHEN excluded.pending_us < gate_pending.pending_us THEN excluded.pending_us ELSE gate_pending.pending_us END`,
		append(g.args(), micros(at))...)
	if err != nil {
		return fmt.Errorf("record %s pending: %w", g, err)
	}
	return nil
}

// GateQuorum records that g reached its quorum at at and returns when g
// was first evaluated pending. ok is false, and nothing is recorded, when
// g was never recorded pending or its quorum was recorded already: the
// latency is then observed by nobody, or by whoever recorded it first
// (another replica, an earlier evaluation).
func (s *Store) GateQuorum(ctx context.Context, g GateHead, at time.Time) (pending time.Time, ok bool, err error) {
	var us int64
	err = s.writeRow(ctx, `
		UPDATE gate_pending SET quorum_us = $6
		WHERE owner = $1 AND repo = $2 AND number = $3 AND head_sha = $4 AND gate = $5 AND quorum_us IS NULL
		RETURNING pending_us`, append(g.args(), micros(at))...).Scan(&us)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("record %s quorum: %w", g, err)
	}
	s.commits.Add(1)
	return fromMicros(us), true, nil
}

// PruneGatePending removes the rows of heads first evaluated pending
// before before, and returns how many.
func (s *Store) PruneGatePending(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, "DELETE FROM gate_pending WHERE pending_us < $1", micros(before))
	if err != nil {
		return 0, fmt.Errorf("prune gate pending: %w", err)
	}
	return res.RowsAffected()
}

// OldestDueJob returns when the job waiting longest became due (at or
// before now): not claimed and due, or claimed under a lease that ran out
// (its worker died). ok is false when no job is due.
func (s *Store) OldestDueJob(ctx context.Context, now time.Time) (due time.Time, ok bool, err error) {
	var us sql.NullInt64
	err = s.queryRow(ctx, `
		SELECT MIN(CASE WHEN token IS NULL THEN run_at_us ELSE lease_until_us END) FROM jobs
		WHERE (token IS NULL AND run_at_us <= $1) OR (token IS NOT NULL AND lease_until_us <= $1)`,
		micros(now)).Scan(&us)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("oldest due job: %w", err)
	}
	if !us.Valid {
		return time.Time{}, false, nil
	}
	return fromMicros(us.Int64), true, nil
}
