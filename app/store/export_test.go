package store

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var placeholder = regexp.MustCompile(`\$(\d+)`)

// OnPrepare calls f with each query text s prepares from now on (SQLite).
func OnPrepare(s *Store, f func(q string)) {
	s.w.onPrepare = f
	s.r.onPrepare = f
}

// QueryPlan returns SQLite's plan of q on s (EXPLAIN QUERY PLAN), a line
// per step.
func QueryPlan(ctx context.Context, s *Store, q string) ([]string, error) {
	// The plan does not depend on the values; the driver wants one per
	// $N.
	n := 0
	for _, m := range placeholder.FindAllStringSubmatch(q, -1) {
		if i, _ := strconv.Atoi(m[1]); i > n {
			n = i
		}
	}
	rows, err := s.rdb.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, make([]any, n)...)
	if err != nil {
		return nil, fmt.Errorf("explain %q: %w", q, err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		steps = append(steps, strings.TrimSpace(detail))
	}
	return steps, rows.Err()
}

// WriterSynchronous is SQLite's synchronous setting on the writer's
// connection now (2: FULL, 1: NORMAL).
func WriterSynchronous(ctx context.Context, s *Store) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&n)
	return n, err
}

// LazyCommits is how many transactions s committed lazily.
func LazyCommits(s *Store) uint64 { return s.lazyCommits.Load() }

// WaitingIntakes is how many intakes wait for the next group commit.
func WaitingIntakes(s *Store) int {
	s.intakes.mu.Lock()
	defer s.intakes.mu.Unlock()
	return len(s.intakes.waiting)
}
