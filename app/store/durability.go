package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// Durability classes of write transactions.
//
// A durable commit survives a power cut once it returns: SQLite syncs the
// WAL (synchronous=FULL, the writer's setting), PostgreSQL waits for its
// WAL flush. That is what an execution's intent needs once Z may have been
// called, and what pushers, PR commands and deployments need once GitHub
// was answered 202 (none of them is sent again, and none can be read back
// from GitHub's current state).
//
// A lazy commit is as atomic and as ordered, and survives a crash of
// zgate, but a power cut may lose it together with the commits after it,
// never one without those before it (SQLite: synchronous=NORMAL in WAL
// mode; PostgreSQL: synchronous_commit off). Every durable commit, and
// [Store.Sync], makes the lazy ones before it durable too. zgate takes
// lazily only what it rebuilds from GitHub: `zgate serve` sweeps every
// open pull request at start, which re-queues what a lost delivery asked
// for, rewrites what a lost check-run state would have spared, and sets
// again the timers a lost settlement held. Audit records written lazily
// are made durable before any checkpoint names them (audit.Log.Checkpoint
// calls Sync), so a power cut can shorten the log only where no
// checkpoint can tell.
//
// On a review event this turns 3-4 fsyncs into at most one, the one that
// marks a check run's state unknown before completing it.
//
// Lazy commits are off until [Store.CommitLazily] turns them on: only a
// caller that rebuilds their content at start may.

// CommitLazily lets the transactions whose content zgate rebuilds from
// GitHub commit lazily (see durability.go). Turn it on only when a sweep
// of every open pull request runs at start; off, every commit is
// durable.
func (s *Store) CommitLazily(on bool) { s.lazy.Store(on) }

// inLazyTx is [Store.inTx] committed lazily when lazy commits are on.
func (s *Store) inLazyTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	if !s.lazy.Load() {
		return s.inTx(ctx, f)
	}
	if s.engine == enginePostgres {
		return s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit TO OFF"); err != nil {
				return fmt.Errorf("lazy commit: %w", err)
			}
			return f(tx)
		})
	}
	// SQLite refuses to change synchronous inside a transaction, and the
	// setting belongs to the connection: pin the writer's one connection,
	// lower it for this transaction only, and restore FULL before the
	// connection goes back to the pool — or drop the connection, so that
	// no durable write ever runs on a lowered one.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
		return fmt.Errorf("lazy commit: %w", err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous=FULL"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err := s.runTx(tx, err, f); err != nil {
		return err
	}
	s.lazyCommits.Add(1)
	return nil
}

// Sync makes every commit so far durable (see inLazyTx): it commits a
// durable transaction that writes a row, and so flushes the write-ahead
// log up to it.
func (s *Store) Sync(ctx context.Context) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE schema_migrations SET applied_us = applied_us
			WHERE version = (SELECT MAX(version) FROM schema_migrations)`)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("%d rows written, want 1", n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sync store: %w", err)
	}
	return nil
}

// StartServing records durably that `zgate serve` runs on this store and
// says whether the last run stopped without [Store.StopServing]: a crash
// of zgate, or a power cut, which may have taken lazy commits with it. It
// then forgets every check run's recorded status and fingerprint, so that
// each is read from GitHub or rewritten before it is trusted, and lets the
// mark that a check run's state is unknown (written before completing a
// run) commit lazily: a power cut that takes it back also leaves the run
// marked as running here, and this start forgets the state it would have
// guarded. On PostgreSQL, whose server can lose lazy commits while zgate
// runs on, and which several replicas share, it does nothing (unclean is
// false) and the mark stays durable.
func (s *Store) StartServing(ctx context.Context) (unclean bool, err error) {
	if s.engine != engineSQLite {
		return false, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var running int
		switch err := tx.QueryRowContext(ctx, "SELECT running FROM serve_state WHERE id = 1").Scan(&running); {
		case errIsNoRows(err):
		case err != nil:
			return err
		}
		if unclean = running != 0; unclean {
			if _, err := tx.ExecContext(ctx, "UPDATE check_runs SET fingerprint = '', run_status = ''"); err != nil {
				return fmt.Errorf("forget check-run states: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO serve_state (id, running) VALUES (1, 1)
			ON CONFLICT (id) DO UPDATE SET running = 1`)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("start serving: %w", err)
	}
	s.serving.Store(true)
	return unclean, nil
}

// StopServing records durably that `zgate serve` stopped cleanly: every
// write it made is in the store. Call it once nothing writes any more.
func (s *Store) StopServing(ctx context.Context) error {
	if s.engine != engineSQLite || !s.serving.Load() {
		return nil
	}
	s.serving.Store(false)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE serve_state SET running = 0 WHERE id = 1")
		return err
	})
	if err != nil {
		return fmt.Errorf("stop serving: %w", err)
	}
	return nil
}
