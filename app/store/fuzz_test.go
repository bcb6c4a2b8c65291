package store

import (
	"strings"
	"testing"
)

// FuzzRedactDSN checks that a password in a DSN never reaches an error
// message.
func FuzzRedactDSN(f *testing.F) {
	f.Add("postgres", "zgate", "s3cret", "db.internal:5432/zgate?sslmode=require")
	f.Add("postgresql", "", "p@ss", "h/d")
	f.Add("mysql", "u", "://@", "@")
	f.Fuzz(func(t *testing.T, scheme, user, pass, rest string) {
		dsn := scheme + "://" + user + ":" + pass + "@" + rest
		got := redactDSN(dsn)
		if strings.Contains(rest, "@") || pass == "" {
			return // the password may legitimately look like part of the host
		}
		if strings.Contains(got, pass) && !strings.Contains(scheme+"://***@"+rest, pass) {
			t.Errorf("redactDSN(%q) = %q, leaks the password", dsn, got)
		}
	})
}

// FuzzSplitStatements checks the migration splitter never yields an empty
// or semicolon-terminated statement and loses no non-comment text.
func FuzzSplitStatements(f *testing.F) {
	f.Add("CREATE TABLE a (x INTEGER);\n-- note;\nCREATE INDEX i ON a (x);\n")
	f.Add(";\n;\n")
	f.Add("SELECT 1")
	f.Fuzz(func(t *testing.T, src string) {
		var kept strings.Builder
		for _, line := range strings.Split(src, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "--") {
				kept.WriteString(line)
			}
		}
		var joined strings.Builder
		for _, stmt := range splitStatements(src) {
			if strings.TrimSpace(stmt) == "" || strings.HasSuffix(stmt, ";") {
				t.Fatalf("splitStatements(%q) yields %q", src, stmt)
			}
			joined.WriteString(stmt)
		}
		strip := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, ";", " ")), "") }
		if strip(joined.String()) != strip(kept.String()) {
			t.Errorf("splitStatements(%q) lost text: %q vs %q", src, joined.String(), kept.String())
		}
	})
}

// FuzzSQLiteDSN checks the path survives and zgate's pragmas come first.
func FuzzSQLiteDSN(f *testing.F) {
	f.Add("zgate.db")
	f.Add(":memory:")
	f.Add("/var/lib/zgate/zgate.db?_pragma=cache_size(-20000)")
	f.Fuzz(func(t *testing.T, path string) {
		got := sqliteDSN(path)
		base, _, _ := strings.Cut(path, "?")
		if !strings.HasPrefix(got, base+"?_pragma=") {
			t.Errorf("sqliteDSN(%q) = %q, want the path then zgate's pragmas", path, got)
		}
		if !strings.Contains(got, "_txlock=immediate") || !strings.Contains(got, "busy_timeout") {
			t.Errorf("sqliteDSN(%q) = %q, lacks _txlock=immediate or busy_timeout", path, got)
		}
	})
}
