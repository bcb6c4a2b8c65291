package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ReviewRequestState is what is known about a team's review request on a
// pull request.
type ReviewRequestState string

const (
	// ReviewRequested: zgate asked (or was about to: the row is written
	// before the call, so a crash inside it cannot make zgate ask twice).
	ReviewRequested ReviewRequestState = "requested"
	// ReviewRequestRemoved: a person removed the request; zgate never asks
	// that team again on the pull request.
	ReviewRequestRemoved ReviewRequestState = "removed"
)

// reviewRequestKey lower-cases the parts GitHub compares without case.
func reviewRequestKey(owner, repo, team string) (string, string, string) {
	return strings.ToLower(owner), strings.ToLower(repo), strings.ToLower(strings.TrimPrefix(team, "@"))
}

// ClaimReviewRequest records that zgate is about to request team's
// ("org/team") review on key's pull request, with build's audit record in
// the same transaction. claimed is false, and nothing is written, when a
// row for (pull request, team) exists already: zgate asked before, or a
// person removed the request. Once per (pull request, team), across
// restarts and replicas.
func (s *Store) ClaimReviewRequest(ctx context.Context, key PRKey, team string, at time.Time, build AuditBuilder) (claimed bool, err error) {
	if err := validKey(key); err != nil {
		return false, err
	}
	owner, repo, t := reviewRequestKey(key.Owner, key.Repo, team)
	if t == "" {
		return false, fmt.Errorf("claim review request on %s: empty team", key)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, `
			INSERT INTO review_requests (owner, repo, number, team, state, updated_us) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (owner, repo, number, team) DO NOTHING`,
			owner, repo, key.Number, t, string(ReviewRequested), micros(at))
		if err != nil {
			return err
		}
		if claimed, err = affected(res); err != nil || !claimed {
			return err
		}
		if build != nil {
			if _, err := s.appendAuditTx(ctx, tx, build); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("claim review request of %s on %s: %w", t, key, err)
	}
	return claimed, nil
}

// RemovedReview is a team review request a person removed (the
// pull_request review_request_removed webhook).
type RemovedReview struct {
	Owner, Repo string
	Number      int
	// Team is "org/team".
	Team string
	At   time.Time
}

const removedReviewQuery = `
	INSERT INTO review_requests (owner, repo, number, team, state, updated_us) VALUES ($1, $2, $3, $4, $5, $6)
	ON CONFLICT (owner, repo, number, team) DO UPDATE SET state = excluded.state, updated_us = excluded.updated_us`

func removedReviewArgs(r RemovedReview) []any {
	o, rp, t := reviewRequestKey(r.Owner, r.Repo, r.Team)
	return []any{o, rp, r.Number, t, string(ReviewRequestRemoved), micros(r.At)}
}

func checkRemovedReview(r RemovedReview) error {
	if r.Owner == "" || r.Repo == "" || r.Number <= 0 || strings.TrimPrefix(r.Team, "@") == "" {
		return fmt.Errorf("note removed review request: owner, repository, number and team are required")
	}
	return nil
}

// NoteReviewRequestRemoved records that a person removed team's review
// request on pull request number: zgate will not ask that team again.
// Deliveries record it through [Store.Intake].
func (s *Store) NoteReviewRequestRemoved(ctx context.Context, owner, repo string, number int, team string, at time.Time) error {
	r := RemovedReview{Owner: owner, Repo: repo, Number: number, Team: team, At: at}
	if err := checkRemovedReview(r); err != nil {
		return err
	}
	_, err := s.exec(ctx, removedReviewQuery, removedReviewArgs(r)...)
	if err != nil {
		return fmt.Errorf("note removed review request of %s on %s/%s#%d: %w", team, owner, repo, number, err)
	}
	return nil
}

// ReviewRequests returns the state per team ("org/team", lower case) of
// the review requests recorded on pull request number.
func (s *Store) ReviewRequests(ctx context.Context, owner, repo string, number int) (map[string]ReviewRequestState, error) {
	o, r, _ := reviewRequestKey(owner, repo, "")
	rows, err := s.query(ctx, `SELECT team, state FROM review_requests WHERE owner = $1 AND repo = $2 AND number = $3`, o, r, number)
	if err != nil {
		return nil, fmt.Errorf("review requests of %s/%s#%d: %w", owner, repo, number, err)
	}
	defer rows.Close()
	out := map[string]ReviewRequestState{}
	for rows.Next() {
		var team, state string
		if err := rows.Scan(&team, &state); err != nil {
			return nil, fmt.Errorf("review requests of %s/%s#%d: %w", owner, repo, number, err)
		}
		out[team] = ReviewRequestState(state)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review requests of %s/%s#%d: %w", owner, repo, number, err)
	}
	return out, nil
}
