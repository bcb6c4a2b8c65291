package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Push is a head commit sighted on a pull request: who pushed it (the
// sender of a pull_request opened, synchronize or reopened delivery, which
// GitHub sets and the pusher cannot forge, unlike commit authors) and when
// zgate saw it first and last.
type Push struct {
	// RepoID is GitHub's repository id, stable across renames.
	RepoID int64
	// Number is the pull request; 0 for a push to a branch.
	Number  int
	HeadSHA string
	// Sender is the pusher's login; "" when zgate sighted the head in an
	// evaluation rather than a delivery.
	Sender string
	// SenderID is GitHub's account id of the sender, 0 when unknown. A
	// login can be renamed; the id stays.
	SenderID int64
	// SeenAt is the first sighting. [Store.RecordPush] takes it as the
	// time of the sighting it records.
	SeenAt time.Time
	// LastSeenAt is the latest sighting; [Store.RecordPush] ignores it.
	LastSeenAt time.Time
}

const recordPushQuery = `
		INSERT INTO pushes (repo_id, number, head_sha, sender, first_us, last_us, sender_id) VALUES ($1, $2, $3, $4, $5, $5, $6)
		ON CONFLICT (repo_id, number, head_sha, sender) DO UPDATE SET
			first_us = CASE WHEN excluded.first_us < pushes.first_us THEN excluded.first_us ELSE pushes.first_us END,
			last_us  = CASE WHEN excluded.last_us > pushes.last_us THEN excluded.last_us ELSE pushes.last_us END,
			sender_id = CASE WHEN excluded.sender_id <> 0 THEN excluded.sender_id ELSE pushes.sender_id END`

// pushArgs are the arguments of recordPushQuery.
func pushArgs(p Push) []any {
	return []any{p.RepoID, p.Number, strings.ToLower(p.HeadSHA), p.Sender, micros(p.SeenAt), p.SenderID}
}

// checkPush refuses a push without the fields it is keyed by.
func checkPush(p Push) error {
	if p.RepoID == 0 || p.HeadSHA == "" || p.Number < 0 {
		return errors.New("record push: repository id and head SHA are required")
	}
	return nil
}

// RecordPush records a sighting at p.SeenAt of (repository, pull request,
// head, sender): the row keeps the earliest and the latest sighting.
func (s *Store) RecordPush(ctx context.Context, p Push) error {
	if err := checkPush(p); err != nil {
		return err
	}
	_, err := s.exec(ctx, recordPushQuery, pushArgs(p)...)
	if err != nil {
		return fmt.Errorf("record push %d#%d@%s by %q: %w", p.RepoID, p.Number, p.HeadSHA, p.Sender, err)
	}
	return nil
}

// Pushes returns what was recorded about pull request number of the
// repository (every head, every sender) and about its head commit head on
// any pull request or branch of the repository, by first sighting.
func (s *Store) Pushes(ctx context.Context, repoID int64, number int, head string) ([]Push, error) {
	// Two indexed reads, not one with OR: SQLite would answer that by
	// reading every push of the repository (TestSQLiteQueryPlans).
	rows, err := s.query(ctx, `
		SELECT number, head_sha, sender, first_us, last_us, sender_id FROM pushes
		WHERE repo_id = $1 AND number = $2
		UNION
		SELECT number, head_sha, sender, first_us, last_us, sender_id FROM pushes
		WHERE repo_id = $1 AND head_sha = $3
		ORDER BY first_us, number, head_sha, sender`,
		repoID, number, strings.ToLower(head))
	if err != nil {
		return nil, fmt.Errorf("pushes of %d#%d: %w", repoID, number, err)
	}
	defer rows.Close()
	out := []Push{}
	for rows.Next() {
		p := Push{RepoID: repoID}
		var first, last int64
		if err := rows.Scan(&p.Number, &p.HeadSHA, &p.Sender, &first, &last, &p.SenderID); err != nil {
			return nil, fmt.Errorf("pushes of %d#%d: %w", repoID, number, err)
		}
		p.SeenAt, p.LastSeenAt = fromMicros(first), fromMicros(last)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pushes of %d#%d: %w", repoID, number, err)
	}
	return out, nil
}

// PushesOf returns the recorded pushes, with a sender, that made any of
// shas in the repository (on any pull request or branch), oldest first:
// whoever pushed one of a pull request's commits wrote part of it.
func (s *Store) PushesOf(ctx context.Context, repoID int64, shas []string) ([]Push, error) {
	if len(shas) == 0 {
		return []Push{}, nil
	}
	lower := make([]string, len(shas))
	for i, sha := range shas {
		lower[i] = strings.ToLower(sha)
	}
	list, err := json.Marshal(lower)
	if err != nil {
		return nil, fmt.Errorf("pushes of %d commits: %w", len(shas), err)
	}
	// One statement whatever the number of commits: the list is one JSON
	// parameter, unpacked by each engine.
	in := `SELECT value FROM json_each($2)`
	if s.engine == enginePostgres {
		in = `SELECT jsonb_array_elements_text($2::jsonb)`
	}
	rows, err := s.query(ctx, `
		SELECT number, head_sha, sender, first_us, last_us, sender_id FROM pushes
		WHERE repo_id = $1 AND sender <> '' AND head_sha IN (`+in+`)
		ORDER BY first_us, number, head_sha, sender`,
		repoID, string(list))
	if err != nil {
		return nil, fmt.Errorf("pushes of %d commits in %d: %w", len(shas), repoID, err)
	}
	defer rows.Close()
	out := []Push{}
	for rows.Next() {
		p := Push{RepoID: repoID}
		var first, last int64
		if err := rows.Scan(&p.Number, &p.HeadSHA, &p.Sender, &first, &last, &p.SenderID); err != nil {
			return nil, fmt.Errorf("pushes of %d commits in %d: %w", len(shas), repoID, err)
		}
		p.SeenAt, p.LastSeenAt = fromMicros(first), fromMicros(last)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pushes of %d commits in %d: %w", len(shas), repoID, err)
	}
	return out, nil
}
