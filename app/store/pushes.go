package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Push is one sighting of a head commit on a pull request: who pushed it
// (the sender of a pull_request opened, synchronize or reopened delivery,
// which GitHub sets and the pusher cannot forge, unlike commit authors)
// and when zgate first saw it.
type Push struct {
	// RepoID is GitHub's repository id, stable across renames.
	RepoID int64
	// Number is the pull request; 0 for a push to a branch.
	Number  int
	HeadSHA string
	// Sender is the pusher's login; "" when zgate first saw the head in an
	// evaluation rather than a delivery.
	Sender string
	// SeenAt is the first sighting; a later one of the same row is
	// ignored.
	SeenAt time.Time
}

// RecordPush records p unless its (repository, pull request, head,
// sender) is already recorded: the first sighting is the one kept.
func (s *Store) RecordPush(ctx context.Context, p Push) error {
	if p.RepoID == 0 || p.HeadSHA == "" || p.Number < 0 {
		return errors.New("record push: repository id and head SHA are required")
	}
	_, err := s.exec(ctx, `
		INSERT INTO pushes (repo_id, number, head_sha, sender, seen_us) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (repo_id, number, head_sha, sender) DO NOTHING`,
		p.RepoID, p.Number, strings.ToLower(p.HeadSHA), p.Sender, micros(p.SeenAt))
	if err != nil {
		return fmt.Errorf("record push %d#%d@%s by %q: %w", p.RepoID, p.Number, p.HeadSHA, p.Sender, err)
	}
	return nil
}

// Pushes returns what was recorded about pull request number of the
// repository (every head, every sender) and about its head commit head on
// any pull request or branch of the repository, oldest first.
func (s *Store) Pushes(ctx context.Context, repoID int64, number int, head string) ([]Push, error) {
	rows, err := s.query(ctx, `
		SELECT number, head_sha, sender, seen_us FROM pushes
		WHERE repo_id = $1 AND (number = $2 OR head_sha = $3)
		ORDER BY seen_us, number, head_sha, sender`,
		repoID, number, strings.ToLower(head))
	if err != nil {
		return nil, fmt.Errorf("pushes of %d#%d: %w", repoID, number, err)
	}
	defer rows.Close()
	out := []Push{}
	for rows.Next() {
		p := Push{RepoID: repoID}
		var us int64
		if err := rows.Scan(&p.Number, &p.HeadSHA, &p.Sender, &us); err != nil {
			return nil, fmt.Errorf("pushes of %d#%d: %w", repoID, number, err)
		}
		p.SeenAt = fromMicros(us)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pushes of %d#%d: %w", repoID, number, err)
	}
	return out, nil
}
