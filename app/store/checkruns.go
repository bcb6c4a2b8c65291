package store

import (
	"context"
	"database/sql"
	"fmt"
)

// CheckRunState is what zgate last wrote on one check run: its id, the
// fingerprint of its content and its status.
type CheckRunState struct {
	RunID       int64
	Fingerprint string
	// Status is the status written ("queued", "in_progress", "completed");
	// "" when unknown (recorded before statuses were kept, or through
	// [Store.SetCheckFingerprint]): the caller then asks GitHub.
	Status string
}

const setCheckRunQuery = `
		INSERT INTO check_runs (owner, repo, sha, name, run_id, fingerprint, run_status, updated_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (owner, repo, sha, name) DO UPDATE SET
			run_id = excluded.run_id, fingerprint = excluded.fingerprint, run_status = excluded.run_status, updated_us = excluded.updated_us`

// CheckRun returns what was last written on the check run check of a
// commit; ErrNotFound when nothing was recorded.
func (s *Store) CheckRun(ctx context.Context, owner, repo, sha, check string) (CheckRunState, error) {
	var st CheckRunState
	err := s.queryRow(ctx,
		"SELECT run_id, fingerprint, run_status FROM check_runs WHERE owner = $1 AND repo = $2 AND sha = $3 AND name = $4",
		owner, repo, sha, check).Scan(&st.RunID, &st.Fingerprint, &st.Status)
	if errIsNoRows(err) {
		return CheckRunState{}, fmt.Errorf("check run %s/%s@%s %s: %w", owner, repo, sha, check, ErrNotFound)
	}
	if err != nil {
		return CheckRunState{}, fmt.Errorf("check run %s/%s@%s %s: %w", owner, repo, sha, check, err)
	}
	return st, nil
}

// SetCheckRun records what was written on a check run, and when (for
// [Store.PruneCheckFingerprints]).
//
// A write marking the state unknown (Status "") is what a publisher makes
// before completing a run, and must survive whatever could lose the
// completion's record: durable, but lazy between [Store.StartServing] and
// [Store.StopServing] with lazy commits on, where a power cut that takes
// it back makes the next start forget every check-run state.
func (s *Store) SetCheckRun(ctx context.Context, owner, repo, sha, check string, st CheckRunState) error {
	args := []any{owner, repo, sha, check, st.RunID, st.Fingerprint, st.Status, micros(nowUTC())}
	var err error
	if st.Status == "" && s.serving.Load() && s.lazy.Load() {
		err = s.inLazyTx(ctx, func(tx *sql.Tx) error {
			_, err := s.txExec(ctx, tx, setCheckRunQuery, args...)
			return err
		})
	} else {
		_, err = s.exec(ctx, setCheckRunQuery, args...)
	}
	if err != nil {
		return fmt.Errorf("set check run %s/%s@%s %s: %w", owner, repo, sha, check, err)
	}
	return nil
}

// NoteStatus records that a webhook reported a commit status claiming a
// zgate check name on sha: the next evaluation of that head re-reads its
// statuses ([Store.StatusNotice]). Shared by every replica.
func (s *Store) NoteStatus(ctx context.Context, owner, repo, sha string) error {
	_, err := s.exec(ctx, `
		INSERT INTO status_notices (owner, repo, sha, seq, updated_us) VALUES ($1, $2, $3, 1, $4)
		ON CONFLICT (owner, repo, sha) DO UPDATE SET
			seq = status_notices.seq + 1, updated_us = excluded.updated_us`,
		owner, repo, sha, micros(nowUTC()))
	if err != nil {
		return fmt.Errorf("note status on %s/%s@%s: %w", owner, repo, sha, err)
	}
	return nil
}

// StatusNotice returns how many status notices sha has had ([Store.NoteStatus]),
// 0 for none: a caller that read the statuses after seeing n need not
// read them again while it stays n.
func (s *Store) StatusNotice(ctx context.Context, owner, repo, sha string) (int64, error) {
	var seq int64
	err := s.queryRow(ctx, "SELECT seq FROM status_notices WHERE owner = $1 AND repo = $2 AND sha = $3", owner, repo, sha).Scan(&seq)
	if errIsNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("status notice of %s/%s@%s: %w", owner, repo, sha, err)
	}
	return seq, nil
}
