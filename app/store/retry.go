package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// On PostgreSQL a pooled connection can die while idle: a failover, a
// restart, or pg_terminate_backend. The driver finds out only when it
// next sends a statement, which then fails with 57P01 (admin_shutdown) or
// a reset connection; a webhook answered 503 for that is lost, since
// GitHub does not redeliver. So a statement that fails on a broken
// connection runs once more, after a ping has flushed dead connections
// from the pool. Every statement run outside a transaction is safe to run
// twice: inserts are ON CONFLICT, updates are guarded by what they set,
// and where the first run may have committed (a reset during the reply)
// the second sees its effect. Transactions are not retried here.

// connLost reports whether err means the connection broke, not that the
// statement was refused.
func connLost(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return true
		}
		return len(pgErr.Code) == 5 && pgErr.Code[:2] == "08" // connection_exception
	}
	return errors.Is(err, driver.ErrBadConn) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}

// flushDead pings the pool until a ping succeeds: database/sql hands out
// the most recently used idle connection and discards one whose ping
// fails, so after a mass kill each ping removes one dead connection, and
// the retried statement finds a live one (or a new one).
func (s *Store) flushDead(ctx context.Context) {
	for range maxOpenPostgres + 1 {
		if s.db.PingContext(ctx) == nil || ctx.Err() != nil {
			return
		}
	}
}

// retryExec runs ExecContext, once more after a broken connection.
func (s *Store) retryExec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := s.db.ExecContext(ctx, q, args...)
	if connLost(err) && ctx.Err() == nil {
		s.flushDead(ctx)
		res, err = s.db.ExecContext(ctx, q, args...)
	}
	return res, err
}

// retryQuery runs QueryContext, once more after a broken connection.
func (s *Store) retryQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if connLost(err) && ctx.Err() == nil {
		s.flushDead(ctx)
		rows, err = s.db.QueryContext(ctx, q, args...)
	}
	return rows, err
}

// retryQueryRow runs QueryRowContext, once more after a broken connection
// (the driver reads the first row before returning, so a broken
// connection shows in Row.Err).
func (s *Store) retryQueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	row := s.db.QueryRowContext(ctx, q, args...)
	if connLost(row.Err()) && ctx.Err() == nil {
		s.flushDead(ctx)
		row = s.db.QueryRowContext(ctx, q, args...)
	}
	return row
}
