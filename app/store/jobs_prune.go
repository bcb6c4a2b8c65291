package store

import (
	"context"
	"fmt"
)

// PruneFailingJobs removes jobs that are not claimed and have failed at
// least attempts times in a row, and returns how many it removed. A job
// settles by completing (its row is deleted then); one whose pull request
// can no longer be read (the repository was deleted, the App uninstalled)
// would otherwise be retried forever. Removing it loses no decision: the
// periodic sweep enqueues every open pull request again, and any event
// does too.
func (s *Store) PruneFailingJobs(ctx context.Context, attempts int) (int64, error) {
	if attempts <= 0 {
		return 0, fmt.Errorf("prune failing jobs: attempts must be positive, got %d", attempts)
	}
	res, err := s.exec(ctx, "DELETE FROM jobs WHERE token IS NULL AND attempt >= $1", attempts)
	if err != nil {
		return 0, fmt.Errorf("prune failing jobs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune failing jobs: %w", err)
	}
	return n, nil
}
