package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create schemas
)

// adminTimeout bounds creating and dropping a test schema: a lock left by
// a wedged test must fail the test, not hang it until go test's timeout.
const adminTimeout = 30 * time.Second

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
	ctx, cancel := context.WithTimeout(t.Context(), adminTimeout)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		// t.Context is done by now: cleanups get their own deadline.
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
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
