package store

import (
	"context"
	"database/sql"
	"fmt"
)

// On SQLite, parsing a statement costs about as much as running it, and
// modernc.org/sqlite keeps no statement cache, so the store prepares each
// query text once. pgx caches prepared statements itself, so PostgreSQL
// queries go straight to the pool.

// prepared returns the cached statement for q, preparing it on first use.
func (s *Store) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := s.cached(q); st != nil {
		return st, nil
	}
	// Prepare without holding mu: preparing waits for a connection, and on
	// SQLite the one connection may belong to a transaction that needs mu
	// (txQueryRow) before it can finish — holding mu here deadlocks.
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.stmts[q]; ok {
		_ = st.Close() // another caller prepared it meanwhile
		return prev, nil
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[q] = st
	return st, nil
}

// exec runs a write statement outside a transaction (so in one of its
// own), counting it in [Store.Commits] when it changed a row.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := s.execUncounted(ctx, q, args...)
	if err == nil {
		if n, _ := res.RowsAffected(); n > 0 {
			s.commits.Add(1)
		}
	}
	return res, err
}

func (s *Store) execUncounted(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s.engine == enginePostgres {
		return s.retryExec(ctx, q, args...)
	}
	st, err := s.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.engine == enginePostgres {
		return s.retryQuery(ctx, q, args...)
	}
	st, err := s.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if s.engine == enginePostgres {
		return s.retryQueryRow(ctx, q, args...)
	}
	st, err := s.prepared(ctx, q)
	if err != nil {
		// The unprepared query reports the same error through Scan.
		return s.db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// cached returns the statement prepared for q, or nil. Statements used in
// transactions must be prepared before (see warm): preparing needs a
// connection, and on SQLite the transaction holds the only one.
func (s *Store) cached(q string) *sql.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stmts[q]
}

// warm prepares the statements run inside transactions, on SQLite. A
// statement added to a transaction must be listed here.
func (s *Store) warm(ctx context.Context) error {
	if s.engine == enginePostgres {
		return nil
	}
	for _, q := range []string{lastAuditQuery, insertAuditQuery, insertExecutionQuery, sameExecutionQuery, finishExecutionQuery} {
		if _, err := s.prepared(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// txExec runs q in tx, through the cached statement on SQLite.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if s.engine == enginePostgres {
		return tx.ExecContext(ctx, q, args...)
	}
	if st := s.cached(q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// txQueryRow runs q in tx, through the cached statement on SQLite.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if s.engine == enginePostgres {
		return tx.QueryRowContext(ctx, q, args...)
	}
	if st := s.cached(q); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

// closeStmts closes the cached statements.
func (s *Store) closeStmts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for q, st := range s.stmts {
		st.Close()
		delete(s.stmts, q)
	}
}
