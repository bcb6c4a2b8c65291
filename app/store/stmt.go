package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// On SQLite, parsing a statement costs about as much as running it, and
// modernc.org/sqlite keeps no statement cache, so the store prepares each
// query text once per database handle (the writer and the reader pool).
// pgx caches prepared statements itself, so PostgreSQL queries go
// straight to the pool.

// stmtCache holds the statements prepared on one database handle.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
	// onPrepare, when set (by tests), sees each query text prepared.
	onPrepare func(q string)
}

// initStmts makes the statement caches of db and rdb.
func (s *Store) initStmts() {
	s.w = &stmtCache{db: s.db}
	s.r = s.w
	if s.rdb != s.db {
		s.r = &stmtCache{db: s.rdb}
	}
}

// prepared returns the cached statement for q, preparing it on first use.
func (c *stmtCache) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := c.cached(q); st != nil {
		return st, nil
	}
	// Prepare without holding mu: preparing waits for a connection, and on
	// SQLite the one writer connection may belong to a transaction that
	// needs mu (txQueryRow) before it can finish — holding mu here
	// deadlocks.
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok {
		_ = st.Close() // another caller prepared it meanwhile
		return prev, nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[q] = st
	if c.onPrepare != nil {
		c.onPrepare(q)
	}
	return st, nil
}

// cached returns the statement prepared for q, or nil. Statements used in
// transactions must be prepared before (see warm): preparing needs a
// connection, and on SQLite the transaction holds the only writer one.
func (c *stmtCache) cached(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

// close closes the cached statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
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
	st, err := s.w.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// writeRow runs a write statement returning a row (UPDATE ... RETURNING)
// on the writer, outside a transaction; the caller counts the commit.
func (s *Store) writeRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.rowOn(ctx, s.w, q, args...)
}

// query runs a read on the readers.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.engine == enginePostgres {
		return s.retryQuery(ctx, q, args...)
	}
	st, err := s.r.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a one-row read on the readers.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.rowOn(ctx, s.r, q, args...)
}

func (s *Store) rowOn(ctx context.Context, c *stmtCache, q string, args ...any) *sql.Row {
	if s.engine == enginePostgres {
		return s.retryQueryRow(ctx, q, args...)
	}
	st, err := c.prepared(ctx, q)
	if err != nil {
		// The unprepared query reports the same error through Scan.
		return c.db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// warm prepares the statements run inside transactions, on SQLite. A
// statement added to a transaction must be listed here.
func (s *Store) warm(ctx context.Context) error {
	if s.engine == enginePostgres {
		return nil
	}
	for _, q := range txQueries {
		if _, err := s.w.prepared(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// txQueries are the statements run inside transactions.
var txQueries = []string{
	lastAuditQuery, insertAuditQuery, insertExecutionQuery, sameExecutionQuery, finishExecutionQuery,
	enqueueQuery, recordDeliveryQuery, recordPushQuery, setCheckRunQuery,
	completeQuery, completeDirtyQuery, releaseQuery, claimQuery(""),
}

// txExec runs q in tx, through the cached statement on SQLite.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if s.engine == enginePostgres {
		return tx.ExecContext(ctx, q, args...)
	}
	if st := s.w.cached(q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// txQueryRow runs q in tx, through the cached statement on SQLite.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if s.engine == enginePostgres {
		return tx.QueryRowContext(ctx, q, args...)
	}
	if st := s.w.cached(q); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

// closeStmts closes the cached statements.
func (s *Store) closeStmts() {
	s.w.close()
	if s.r != s.w {
		s.r.close()
	}
}
