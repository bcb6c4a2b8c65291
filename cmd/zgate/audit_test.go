package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

// auditDB writes a small audit log to a new SQLite file and returns its DSN.
func auditDB(t *testing.T, records int) (dsn, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "zgate.db")
	dsn = "sqlite:" + path
	s, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("store.Open() = %v", err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	l := audit.New(s, func() time.Time { return at })
	for i := range records {
		if _, err := l.Append(t.Context(), audit.Entry{Kind: audit.KindDecision, Repo: "acme/payments", PR: i + 1,
			Gate: "prod", HeadSHA: "abc", Data: map[string]string{"state": "pending"}}); err != nil {
			t.Fatalf("Append() = %v", err)
		}
	}
	return dsn, path
}

func runAuditCmd(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCmd(t, "", mapEnv(vars), append([]string{"audit"}, args...)...)
}

func TestAuditVerify(t *testing.T) {
	dsn, _ := auditDB(t, 3)
	brokenDSN, brokenPath := auditDB(t, 3)
	db, err := sql.Open("sqlite", brokenPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit SET data = CAST('{"state":"success"}' AS BLOB) WHERE seq = 2`); err != nil {
		t.Fatalf("tamper: %v", err)
	}
	db.Close()
	missing := "sqlite:" + filepath.Join(t.TempDir(), "nope.db")

	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"intact via flag", nil, []string{"verify", "--database", dsn}, exitOK, "audit log OK: 3 records\n"},
		{"intact via ZGATE_DATABASE", map[string]string{"ZGATE_DATABASE": dsn}, []string{"verify"}, exitOK, "audit log OK: 3 records\n"},
		{"flag beats environment", map[string]string{"ZGATE_DATABASE": missing}, []string{"verify", "-database", dsn}, exitOK, "audit log OK: 3 records\n"},
		{"tampered", nil, []string{"verify", "--database", brokenDSN}, exitFailed, "audit log BROKEN at seq 2: bad hash"},
		{"missing file", nil, []string{"verify", "--database", missing}, exitUsage, ""},
		{"bad DSN", nil, []string{"verify", "--database", "mysql://x"}, exitUsage, ""},
		{"unreachable postgres", nil, []string{"verify", "--database", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, exitUsage, ""},
		{"no subcommand", nil, nil, exitUsage, ""},
		{"unknown subcommand", nil, []string{"frobnicate"}, exitUsage, ""},
		{"stray argument", nil, []string{"verify", "--database", dsn, "extra"}, exitUsage, ""},
		{"unknown flag", nil, []string{"verify", "--nope"}, exitUsage, ""},
		{"help", nil, []string{"help"}, exitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runAuditCmd(t, tc.env, tc.args...)
			if code != tc.wantCode || !strings.HasPrefix(out, tc.wantOut) {
				t.Errorf("zgate audit %v = %d, stdout %q (stderr %q); want %d, stdout starting %q",
					tc.args, code, out, errOut, tc.wantCode, tc.wantOut)
			}
		})
	}
}

func TestAuditExport(t *testing.T) {
	dsn, _ := auditDB(t, 3)
	code, out, errOut := runAuditCmd(t, nil, "export", "--database", dsn)
	if code != exitOK {
		t.Fatalf("zgate audit export = %d (stderr %q), want 0", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("export printed %d lines, want 3:\n%s", len(lines), out)
	}
	for i, line := range lines {
		var rec struct {
			Seq  int64           `json:"seq"`
			PR   int             `json:"pr"`
			Data json.RawMessage `json:"data"`
			Hash string          `json:"hash"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, line)
		}
		if rec.Seq != int64(i+1) || rec.PR != i+1 || string(rec.Data) != `{"state":"pending"}` || len(rec.Hash) != 64 {
			t.Errorf("line %d = %+v, want seq %d, pr %d, the data and a hash", i+1, rec, i+1, i+1)
		}
	}
}
