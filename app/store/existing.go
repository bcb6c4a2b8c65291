package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrNotZgate is wrapped by [OpenExisting] when the database holds no
// zgate schema: a mistyped DSN, or another application's database.
var ErrNotZgate = errors.New("store: not a zgate database")

// ErrSchemaVersion is wrapped by [OpenExisting] when the database's schema
// is older or newer than this zgate's: `zgate serve` of the matching
// version migrates it.
var ErrSchemaVersion = errors.New("store: database schema version differs")

// OpenExisting opens a zgate database without migrating it, for commands
// that inspect or resolve what `zgate serve` stored (audit verify, audit
// export, execution list): a database with no zgate tables is refused
// ([ErrNotZgate]) rather than given an empty schema, and one whose schema
// is not this zgate's version is refused ([ErrSchemaVersion]). The schema
// is read through a read-only connection first, so nothing is written to
// a database that turns out not to be zgate's.
func OpenExisting(ctx context.Context, dsn string) (*Store, error) {
	s, err := open(dsn)
	if err != nil {
		return nil, err
	}
	if err := s.checkSchema(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkSchema compares the recorded schema version with the newest
// migration this zgate has.
func (s *Store) checkSchema(ctx context.Context) error {
	ms, err := migrations(s.engine)
	if err != nil {
		return err
	}
	want := int64(ms[len(ms)-1].version)
	exists, err := s.hasMigrationsTable(ctx)
	if err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if !exists {
		return fmt.Errorf("%w: it has no schema_migrations table (zgate serve creates the schema on its first start)", ErrNotZgate)
	}
	var got sql.NullInt64
	if err := s.rdb.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&got); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case !got.Valid:
		return fmt.Errorf("%w: its schema_migrations table is empty", ErrNotZgate)
	case got.Int64 < want:
		return fmt.Errorf("%w: the database is at version %d, this zgate needs %d: start zgate serve of this version once to migrate it", ErrSchemaVersion, got.Int64, want)
	case got.Int64 > want:
		return fmt.Errorf("%w: the database is at version %d, newer than this zgate knows (%d): use the zgate that wrote it", ErrSchemaVersion, got.Int64, want)
	}
	return nil
}

// hasMigrationsTable reports whether schema_migrations exists, asking the
// catalogue rather than failing a query on it.
func (s *Store) hasMigrationsTable(ctx context.Context) (bool, error) {
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	if s.engine == enginePostgres {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
	}
	var n int
	if err := s.rdb.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}
