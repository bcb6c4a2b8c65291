package store

import (
	"context"
	"fmt"
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

// SetCheckFingerprint records the check run id and fingerprint.
func (s *Store) SetCheckFingerprint(ctx context.Context, owner, repo, sha, check string, runID int64, fingerprint string) error {
	_, err := s.exec(ctx, `
		INSERT INTO check_runs (owner, repo, sha, name, run_id, fingerprint) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (owner, repo, sha, name) DO UPDATE SET run_id = excluded.run_id, fingerprint = excluded.fingerprint`,
		owner, repo, sha, check, runID, fingerprint)
	if err != nil {
		return fmt.Errorf("set check fingerprint %s/%s@%s %s: %w", owner, repo, sha, check, err)
	}
	return nil
}
