package store_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create test schemas

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

func openSQLite(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open(%q) = %v", dsn, err)
	}
	return s
}

func TestSQLiteMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.Store { return openSQLite(t, "sqlite::memory:") })
}

func TestSQLiteFileConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.Store {
		return openSQLite(t, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	})
}

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.Store { return openPostgres(t) })
}

// openPostgres opens a store in a fresh schema of the ZGATE_TEST_POSTGRES
// database, dropped when the test ends.
func openPostgres(t testing.TB) *store.Store {
	t.Helper()
	base := os.Getenv("ZGATE_TEST_POSTGRES")
	if base == "" {
		t.Skip("ZGATE_TEST_POSTGRES not set: skipping PostgreSQL conformance")
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "zgate_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", base, err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse ZGATE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := store.Open(t.Context(), u.String())
	if err != nil {
		t.Fatalf("Open(postgres schema %s) = %v", schema, err)
	}
	return s
}

func TestOpenBadDSN(t *testing.T) {
	for _, dsn := range []string{"", "mysql://x", "zgate.db", "postgres://%zz"} {
		if s, err := store.Open(t.Context(), dsn); !errors.Is(err, store.ErrBadDSN) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open(%q) = %v, want ErrBadDSN", dsn, err)
		}
	}
}

func TestSQLiteReopenKeepsState(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "zgate.db")
	at := time.Date(2026, 11, 25, 10, 0, 0, 1000, time.UTC)
	s := openSQLite(t, dsn)
	key := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 3}
	if err := s.Enqueue(t.Context(), key, at); err != nil {
		t.Fatalf("Enqueue() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	s = openSQLite(t, dsn) // migrations run again and must be a no-op
	defer s.Close()
	j, err := s.Claim(t.Context(), "w", at, time.Minute)
	if err != nil || j == nil || j.Key != key || !j.RunAt.Equal(at) {
		t.Fatalf("Claim() after reopen = %+v, %v; want the job for %v at %v", j, err, key, at)
	}
}
