package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrClaimLost is returned by [Store.Complete], [Store.Retry] and
// [Store.Release] when the job is no longer held under the given token:
// its lease ran out and another worker claimed it.
var ErrClaimLost = errors.New("store: job claim lost")

// ErrBadDSN is wrapped by [Open] when the DSN names no known engine or
// cannot be parsed.
var ErrBadDSN = errors.New("store: bad database DSN")

// maxOpenPostgres caps a PostgreSQL store's connections.
const maxOpenPostgres = 16

// engine is the database behind a Store.
type engine int

const (
	engineSQLite engine = iota
	enginePostgres
)

// Store is an open database. It is safe for concurrent use.
type Store struct {
	// db takes the writes (on SQLite its one connection is the single
	// writer); rdb takes the reads. On a SQLite file rdb is a pool of
	// read-only connections, so that in WAL mode readers neither wait
	// behind the writer nor make it wait; elsewhere it is db.
	db, rdb *sql.DB
	engine  engine

	// w and r cache the prepared statements of db and rdb (SQLite only:
	// see stmtCache); r is w when rdb is db.
	w, r *stmtCache

	// commits counts the write transactions committed (see Commits);
	// lazyCommits those of them committed lazily (durability.go).
	commits, lazyCommits atomic.Uint64
	// lazy turns lazy commits on (CommitLazily).
	lazy atomic.Bool
	// intakes groups concurrent lazy intakes into one commit (group.go).
	intakes intakeGroup
	// serving is set between StartServing and StopServing (SQLite).
	serving atomic.Bool
}

// Open opens (and migrates) the database named by dsn: "sqlite:PATH",
// "sqlite::memory:" or "postgres://..." ("postgresql://..." too).
func Open(ctx context.Context, dsn string) (*Store, error) {
	s, err := open(dsn)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.warm(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

func open(dsn string) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" || path[0] == '?' {
			return nil, fmt.Errorf("%w: sqlite DSN %q names no file", ErrBadDSN, dsn)
		}
		db, err := sql.Open("sqlite", sqliteDSN(path))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// One connection: writers are serialised inside the process (and an
		// in-memory database lives only as long as its one connection);
		// BEGIN IMMEDIATE and busy_timeout handle other processes.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s := &Store{db: db, rdb: db, engine: engineSQLite}
		if !inMemory(path) {
			rdb, err := sql.Open("sqlite", sqliteReaderDSN(path))
			if err != nil {
				db.Close()
				return nil, fmt.Errorf("open sqlite readers: %w", err)
			}
			rdb.SetMaxOpenConns(sqliteReaders)
			rdb.SetMaxIdleConns(sqliteReaders)
			rdb.SetConnMaxLifetime(0)
			rdb.SetConnMaxIdleTime(0)
			s.rdb = rdb
		}
		s.initStmts()
		return s, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadDSN, err)
		}
		db := stdlib.OpenDB(*cfg)
		db.SetMaxOpenConns(maxOpenPostgres)
		db.SetMaxIdleConns(4)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s := &Store{db: db, rdb: db, engine: enginePostgres}
		s.initStmts()
		return s, nil
	default:
		return nil, fmt.Errorf("%w: want sqlite:PATH, sqlite::memory: or postgres://..., got %q", ErrBadDSN, redactDSN(dsn))
	}
}

// sqliteReaders is how many read-only connections a SQLite file store
// keeps: one per default queue worker. Each has its own page cache (2 MB
// at most by default), so more would cost memory for little: reads are
// short and WAL lets them all run beside the writer.
const sqliteReaders = 4

// sqliteDSN turns the part after "sqlite:" into a modernc.org/sqlite DSN
// for the writer, with the pragmas zgate relies on; parameters given by
// the user follow. WAL lets readers run beside the one writer.
// synchronous=FULL syncs the WAL on every commit, so a commit survives a
// power cut: an execution's intent must, once Z may have been called; so
// must the pushers a delivery names once GitHub was answered 202 (it is
// not sent again). The transactions that zgate rebuilds from GitHub lower
// it for themselves (durability.go).
func sqliteDSN(path string) string {
	params := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"
	if path != ":memory:" {
		params = "_pragma=journal_mode(WAL)&" + params
	}
	return withParams(path, params)
}

// sqliteReaderDSN is the DSN of the read-only connections: query_only
// refuses any write made through them by mistake.
func sqliteReaderDSN(path string) string {
	return withParams(path, "_pragma=busy_timeout(10000)&_pragma=query_only(1)")
}

// inMemory reports whether the SQLite path names an in-memory database,
// which lives only in its one connection: it has no reader pool.
func inMemory(path string) bool {
	return path == ":memory:" || strings.HasPrefix(path, ":memory:?") || strings.Contains(path, "mode=memory")
}

// withParams puts params before those path carries.
func withParams(path, params string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i] + "?" + params + "&" + path[i+1:]
	}
	return path + "?" + params
}

// redactDSN keeps a password out of error messages.
func redactDSN(dsn string) string {
	if at := strings.LastIndexByte(dsn, '@'); at >= 0 {
		if scheme := strings.Index(dsn, "://"); scheme >= 0 && scheme < at {
			return dsn[:scheme+3] + "***" + dsn[at:]
		}
	}
	return dsn
}

// Close releases the database.
func (s *Store) Close() error {
	s.closeStmts()
	if s.rdb != s.db {
		if err := s.rdb.Close(); err != nil {
			s.db.Close()
			return fmt.Errorf("close store readers: %w", err)
		}
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Ping reports whether the database is reachable (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}

// Commits returns how many write transactions this Store has committed
// since it was opened: each transaction, and each write statement run on
// its own that changed a row. It is the cost that matters per event (on
// SQLite each one waits for the single writer and, with
// synchronous=FULL, for an fsync), so tests and the
// zgate_store_commits_total metric count it.
func (s *Store) Commits() uint64 { return s.commits.Load() }

// commit commits tx, counting it.
func (s *Store) commit(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return err
	}
	s.commits.Add(1)
	return nil
}

// Engine names the database engine: "sqlite" or "postgres".
func (s *Store) Engine() string {
	if s.engine == enginePostgres {
		return "postgres"
	}
	return "sqlite"
}

// micros is how every time is stored.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is the inverse of micros, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// randomID returns 128 random bits in hex, for claim tokens and execution ids.
func randomID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// nowUTC is the wall clock, used only for bookkeeping the caller gives no
// time for (migration records, an execution created without a time).
func nowUTC() time.Time { return time.Now().UTC() }
