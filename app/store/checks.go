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
	st, err := s.CheckRun(ctx, owner, repo, sha, check)
	return st.RunID, st.Fingerprint, err
}

// SetCheckFingerprint records the check run id and fingerprint, and when
// they were written (for [Store.PruneCheckFingerprints]). The run's
// status becomes unknown ([Store.SetCheckRun] records it).
func (s *Store) SetCheckFingerprint(ctx context.Context, owner, repo, sha, check string, runID int64, fingerprint string) error {
	return s.SetCheckRun(ctx, owner, repo, sha, check, CheckRunState{RunID: runID, Fingerprint: fingerprint})
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
