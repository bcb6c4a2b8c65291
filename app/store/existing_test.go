package store_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

// TestOpenExisting checks that OpenExisting never creates a schema: a
// database with no zgate tables, or another version's, is refused and
// left as it was; one zgate serve migrated opens.
func TestOpenExisting(t *testing.T) {
	engines := []struct {
		name  string
		dsn   func(t *testing.T) string
		raw   func(t *testing.T, dsn string) *sql.DB
		other string // a table of some other application
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "other.db") },
			func(t *testing.T, dsn string) *sql.DB {
				db, err := sql.Open("sqlite", dsn[len("sqlite:"):])
				if err != nil {
					t.Fatal(err)
				}
				return db
			}, "CREATE TABLE customers (id INTEGER PRIMARY KEY)"},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES")) },
			func(t *testing.T, dsn string) *sql.DB {
				db, err := sql.Open("pgx", dsn)
				if err != nil {
					t.Fatal(err)
				}
				return db
			}, "CREATE TABLE customers (id BIGINT PRIMARY KEY)"},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			ctx := t.Context()
			dsn := eng.dsn(t)
			raw := eng.raw(t, dsn)
			defer raw.Close()
			if _, err := raw.ExecContext(ctx, eng.other); err != nil {
				t.Fatalf("create another application's table: %v", err)
			}
			tables := func() int {
				t.Helper()
				q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
				if eng.name == "postgres" {
					q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
				}
				var n int
				if err := raw.QueryRowContext(ctx, q).Scan(&n); err != nil {
					t.Fatalf("count tables: %v", err)
				}
				return n
			}
			if s, err := store.OpenExisting(ctx, dsn); !errors.Is(err, store.ErrNotZgate) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("OpenExisting(not zgate's) = %v, want ErrNotZgate", err)
			}
			if n := tables(); n != 1 {
				t.Fatalf("after OpenExisting the database has %d tables, want 1: it must not migrate", n)
			}

			s, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatalf("Open() = %v", err)
			}
			s.Close()
			s, err = store.OpenExisting(ctx, dsn)
			if err != nil {
				t.Fatalf("OpenExisting(migrated) = %v", err)
			}
			if _, err := s.Executions(ctx, ""); err != nil {
				t.Errorf("Executions() = %v", err)
			}
			s.Close()

			if _, err := raw.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_us) VALUES (99999, 'future.sql', 0)"); err != nil {
				t.Fatalf("record a future migration: %v", err)
			}
			if s, err := store.OpenExisting(ctx, dsn); !errors.Is(err, store.ErrSchemaVersion) {
				if s != nil {
					s.Close()
				}
				t.Errorf("OpenExisting(newer schema) = %v, want ErrSchemaVersion", err)
			}
		})
	}
}
