package store

import (
	"context"
	"fmt"
)

// ForgetCommit removes what the store keeps about one commit: the
// fingerprints of the check runs written on it and its status notices.
// A merge group's head commit is used once: when GitHub destroys the
// group, nothing about it is needed again.
func (s *Store) ForgetCommit(ctx context.Context, owner, repo, sha string) error {
	for _, table := range []string{"check_runs", "status_notices"} {
		if _, err := s.exec(ctx, "DELETE FROM "+table+" WHERE owner = $1 AND repo = $2 AND sha = $3", owner, repo, sha); err != nil {
			return fmt.Errorf("forget %s of %s/%s@%s: %w", table, owner, repo, sha, err)
		}
	}
	return nil
}
