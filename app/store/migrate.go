package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// migrationLockKey is the PostgreSQL advisory lock that serialises
// replicas migrating the same database at start-up.
const migrationLockKey int64 = 0x7a67617465_01 // "zgate" + 1

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the engine's migrations, oldest first. Files are named
// NNNN_name.sql.
func migrations(e engine) ([]migration, error) {
	dir := "migrations/sqlite"
	if e == enginePostgres {
		dir = "migrations/postgres"
	}
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, ent := range entries {
		name := ent.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %s: want NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrate applies the migrations not yet recorded in schema_migrations, all
// in one transaction, so a replica sees either the old or the new schema.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations(s.engine)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()
	if s.engine == enginePostgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		name       TEXT   NOT NULL,
		applied_us BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var current sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if n := len(ms); current.Valid && n > 0 && current.Int64 > int64(ms[n-1].version) {
		return fmt.Errorf("migrate: database schema version %d is newer than this zgate knows (%d)", current.Int64, ms[n-1].version)
	}
	for _, m := range ms {
		if current.Valid && int64(m.version) <= current.Int64 {
			continue
		}
		for _, stmt := range splitStatements(m.sql) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO schema_migrations (version, name, applied_us) VALUES ($1, $2, $3)",
			m.version, m.name, micros(nowUTC())); err != nil {
			return fmt.Errorf("migrate %s: record: %w", m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// splitStatements splits a migration at semicolons ending a line; comment
// lines are dropped. Migrations keep semicolons out of literals.
func splitStatements(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			out = appendStatement(out, cur.String())
			cur.Reset()
		}
	}
	return appendStatement(out, cur.String())
}

// appendStatement appends stmt without its trailing semicolons, unless
// nothing else is left of it.
func appendStatement(out []string, stmt string) []string {
	stmt = strings.TrimRight(strings.TrimSpace(stmt), "; \t\r\n")
	if stmt == "" {
		return out
	}
	return append(out, stmt)
}

// errIsNoRows reports whether err says a single-row query found nothing.
func errIsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
