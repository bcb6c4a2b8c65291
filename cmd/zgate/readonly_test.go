package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/store/storetest"
)

// TestReadOnlyCommandsNeverMigrate checks that audit verify, audit export
// and execution list refuse a database that is not zgate's, say so, and
// leave it without zgate tables (they used to migrate it and answer
// "OK: 0 records").
func TestReadOnlyCommandsNeverMigrate(t *testing.T) {
	type db struct {
		dsn    string
		tables func() int
	}
	engines := map[string]func(t *testing.T) db{
		"sqlite": func(t *testing.T) db {
			path := filepath.Join(t.TempDir(), "other.db")
			raw, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { raw.Close() })
			if _, err := raw.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY)"); err != nil {
				t.Fatal(err)
			}
			return db{"sqlite:" + path, func() int {
				var n int
				if err := raw.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}}
		},
		"postgres": func(t *testing.T) db {
			dsn := storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES"))
			raw, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { raw.Close() })
			return db{dsn, func() int {
				var n int
				if err := raw.QueryRow("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}}
		},
	}
	for name, mk := range engines {
		for _, args := range [][]string{{"audit", "verify"}, {"audit", "export"}, {"execution", "list"}} {
			t.Run(name+"/"+strings.Join(args, "_"), func(t *testing.T) {
				d := mk(t)
				before := d.tables()
				code, stdout, stderr := runCmd(t, "", nil, append(args, "--database", d.dsn)...)
				if code != exitUsage {
					t.Errorf("zgate %s = exit %d, want %d; stdout %q", strings.Join(args, " "), code, exitUsage, stdout)
				}
				if !strings.Contains(stderr, "not a zgate database") {
					t.Errorf("stderr = %q, want it to say the database is not zgate's", stderr)
				}
				if strings.Contains(stdout, "OK") {
					t.Errorf("stdout = %q, want no verdict", stdout)
				}
				if after := d.tables(); after != before {
					t.Errorf("the database has %d tables after the command, %d before: it migrated", after, before)
				}
			})
		}
	}
}
