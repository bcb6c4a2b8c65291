package store

import (
	"context"
	"fmt"
	"time"
)

// CheckFingerprint returns the fingerprint last written for a check run
// on a commit, so unchanged check runs are not rewritten; ErrNotFound when
// none was recorded.
func (s *Store) CheckFingerprint(ctx context.Context, owner, repo, sha, check string) (runID int64, fingerprint string, err error) {
	err = s.queryRow(ctx,
		"SELECT run_id, fingerprint FROM check_runs WHERE owner = $1 AND repo = $2 AND sha = $3 AND name = $4",
		owner, repo, sha, check).Scan(&runID, &fingerprint)
	if errIsNoRows(err) {
		return 0, "", fmt.Errorf("check fingerprint %s/%s@%s %s: %w", owner, repo, sha, check, ErrNotFound)
	}
	if err != nil {
		return 0, "", fmt.Errorf("check fingerprint %s/%s@%s %s: %w", owner, repo, sha, check, err)
	}
	return runID, fingerprint, nil
}

const setCheckQuery = `
		INSERT INTO check_runs (owner, repo, sha, name, run_id, fingerprint, updated_us) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (owner, repo, sha, name) DO UPDATE SET
			run_id = excluded.run_id, fingerprint = excluded.fingerprint, run_status = '', updated_us = excluded.updated_us`

// SetCheckFingerprint records the check run id and fingerprint, and when
// they were written (for [Store.PruneCheckFingerprints]). The run's
// status becomes unknown ([Store.SetCheckRun] records it).
func (s *Store) SetCheckFingerprint(ctx context.Context, owner, repo, sha, check string, runID int64, fingerprint string) error {
	_, err := s.exec(ctx, setCheckQuery, owner, repo, sha, check, runID, fingerprint, micros(nowUTC()))
	if err != nil {
		return fmt.Errorf("set check fingerprint %s/%s@%s %s: %w", owner, repo, sha, check, err)
	}
	return nil
}

// PruneCheckFingerprints forgets the fingerprints last written before the
// given time and returns how many it removed. A fingerprint only saves a
// rewrite: the check runs of commits superseded by a push are never
// written again, and one pruned while its commit is still evaluated costs
// one check run written anew (GitHub counts the newest run of a name).
func (s *Store) PruneCheckFingerprints(ctx context.Context, before time.Time) (int64, error) {
	// Status notices live as long: a pruned one only costs a re-read.
	if _, err := s.exec(ctx, "DELETE FROM status_notices WHERE updated_us < $1", micros(before)); err != nil {
		return 0, fmt.Errorf("prune status notices: %w", err)
	}
	res, err := s.exec(ctx, "DELETE FROM check_runs WHERE updated_us < $1", micros(before))
	if err != nil {
		return 0, fmt.Errorf("prune check fingerprints: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune check fingerprints: %w", err)
	}
	return n, nil
}
