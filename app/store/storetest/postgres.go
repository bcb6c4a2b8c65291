package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create schemas
)

// SkipPostgres is the message of tests skipped without a database.
const SkipPostgres = "ZGATE_TEST_POSTGRES not set: skipping PostgreSQL conformance"

// PostgresDSN creates a fresh schema in the PostgreSQL database base (the
// test reads it from ZGATE_TEST_POSTGRES) and returns a DSN whose
// search_path is that schema; the schema is dropped when the test ends.
// An empty base skips the test.
func PostgresDSN(t testing.TB, base string) string {
	t.Helper()
	if base == "" {
		t.Skip(SkipPostgres)
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
		t.Fatalf("parse PostgreSQL DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
