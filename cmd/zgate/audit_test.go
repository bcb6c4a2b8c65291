package main

import (
	"database/sql"
	"encoding/json"
	"os"
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

// keyedAuditDB writes an upgraded installation's log to a new SQLite file:
// two plain records, then zgate serve's key record and three keyed records
// (decision, merge, decision). It returns the DSN, the file, the key file
// and a checkpoint file of the last record.
func keyedAuditDB(t *testing.T) (dsn, path, keyFile, cpFile string) {
	t.Helper()
	dsn, path = auditDB(t, 2)
	dir := t.TempDir()
	keyFile = filepath.Join(dir, "audit.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("k", 64)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := readAuditKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	l := audit.NewKeyed(s, func() time.Time { return at }, key)
	if _, err := l.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, e := range []audit.Entry{
		{Kind: audit.KindDecision, Repo: "acme/payments", PR: 9, Gate: "prod", HeadSHA: "abc", Data: map[string]string{"state": "success"}},
		{Kind: audit.KindExecution, Repo: "acme/payments", PR: 9, Gate: "prod", HeadSHA: "abc", Data: map[string]string{"kind": "merge", "status": "done"}},
		{Kind: audit.KindDecision, Repo: "acme/payments", PR: 10, Gate: "prod", HeadSHA: "def", Data: map[string]string{"state": "pending"}},
	} {
		if _, err := l.Append(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	cp, _, err := l.Checkpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	cpFile = filepath.Join(dir, "checkpoints.jsonl")
	if err := os.WriteFile(cpFile, append(b, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	return dsn, path, keyFile, cpFile
}

// rewriteAudit changes the SQLite log at path as a database administrator
// without the key can: sql runs first, then from seq from on every record
// is numbered again and gets a recomputed plain hash chained onto the one
// before.
func rewriteAudit(t *testing.T, path string, from int64, sqls ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range sqls {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("tamper %q: %v", q, err)
		}
	}
	if from == 0 {
		return
	}
	s, err := store.Open(t.Context(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := s.AuditRecords(t.Context(), 0, 1000)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	prev := audit.GenesisHash
	for i, r := range recs {
		old := r.Seq
		r.Seq = int64(i + 1)
		if r.Seq >= from {
			r.PrevHash = prev
			r.Hash = audit.Hash(r)
			if _, err := db.Exec(`UPDATE audit SET seq = $1, prev_hash = $2, hash = $3 WHERE seq = $4`, r.Seq, r.PrevHash, r.Hash, old); err != nil {
				t.Fatal(err)
			}
		}
		prev = r.Hash
	}
}

// TestAuditVerifyKeyed: with the key and the checkpoints, verify catches a
// rewritten merge, a deleted decision and a cut tail, which a database
// administrator makes pass a plain check by recomputing the hashes.
func TestAuditVerifyKeyed(t *testing.T) {
	shortKey := filepath.Join(t.TempDir(), "short.key")
	if err := os.WriteFile(shortKey, []byte("too short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	if err := os.WriteFile(empty, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		// tamper changes the file; nil leaves it.
		tamper    func(t *testing.T, path string)
		noKey     bool
		noCP      bool
		env       bool
		extra     []string
		wantCode  int
		wantOut   string
		wantInErr string
	}{
		{name: "intact", wantCode: exitOK, wantOut: "audit log OK: 6 records\nkeyed: 4 records checked with the key; the 2 plain records before seq 3 are anchored"},
		{name: "intact, key and checkpoints from the environment", env: true, wantCode: exitOK, wantOut: "audit log OK: 6 records\n"},
		{name: "no key", noKey: true, wantCode: exitUnverified, wantOut: "audit log NOT VERIFIED: 6 records; 4 keyed records (from seq 3) not checked"},
		{name: "merge rewritten as failed", tamper: func(t *testing.T, path string) {
			rewriteAudit(t, path, 5, `UPDATE audit SET data = CAST('{"kind":"merge","status":"failed"}' AS BLOB) WHERE seq = 5`)
		}, wantCode: exitFailed, wantOut: "audit log BROKEN at seq 5: bad mac"},
		{name: "merge rewritten, keys stripped", tamper: func(t *testing.T, path string) {
			rewriteAudit(t, path, 1, `UPDATE audit SET data = CAST('{"kind":"merge","status":"failed"}' AS BLOB), key_id = '' WHERE seq = 5`,
				`UPDATE audit SET key_id = ''`)
		}, noCP: true, wantCode: exitFailed, wantOut: "audit log BROKEN at seq 6: unkeyed"},
		{name: "decision deleted", tamper: func(t *testing.T, path string) {
			rewriteAudit(t, path, 4, `DELETE FROM audit WHERE seq = 4`)
		}, wantCode: exitFailed, wantOut: "audit log BROKEN at seq 4: bad mac"},
		{name: "tail cut off", tamper: func(t *testing.T, path string) {
			rewriteAudit(t, path, 0, `DELETE FROM audit WHERE seq >= 5`)
		}, wantCode: exitFailed, wantOut: "audit log BROKEN at seq 6: truncated"},
		{name: "tail cut off, no checkpoints", tamper: func(t *testing.T, path string) {
			rewriteAudit(t, path, 0, `DELETE FROM audit WHERE seq >= 5`)
		}, noCP: true, wantCode: exitOK, wantOut: "audit log OK: 4 records\n", wantInErr: "records cut off the end cannot be detected"},
		{name: "short key", extra: []string{"--key-file", shortKey}, noKey: true, wantCode: exitUsage},
		{name: "missing checkpoint file", extra: []string{"--checkpoints", filepath.Join(t.TempDir(), "nope")}, noCP: true, wantCode: exitUsage},
		{name: "checkpoint file without checkpoints", extra: []string{"--checkpoints", empty}, noCP: true, wantCode: exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn, path, keyFile, cpFile := keyedAuditDB(t)
			if tc.tamper != nil {
				tc.tamper(t, path)
			}
			args := []string{"verify", "--database", dsn}
			vars := map[string]string{}
			switch {
			case tc.env:
				vars["ZGATE_AUDIT_KEY_FILE"], vars["ZGATE_AUDIT_CHECKPOINT_FILE"] = keyFile, cpFile
			default:
				if !tc.noKey {
					args = append(args, "--key-file", keyFile)
				}
				if !tc.noCP {
					args = append(args, "--checkpoints", cpFile)
				}
			}
			code, out, errOut := runAuditCmd(t, vars, append(args, tc.extra...)...)
			if code != tc.wantCode || !strings.HasPrefix(out, tc.wantOut) || !strings.Contains(errOut, tc.wantInErr) {
				t.Errorf("zgate audit %v = %d, stdout %q, stderr %q; want %d, stdout starting %q, stderr with %q",
					args, code, out, errOut, tc.wantCode, tc.wantOut, tc.wantInErr)
			}
		})
	}
}

func TestAuditVerifyPlainWarns(t *testing.T) {
	dsn, _ := auditDB(t, 3)
	code, out, errOut := runAuditCmd(t, nil, "verify", "--database", dsn)
	if code != exitOK || !strings.HasPrefix(out, "audit log OK: 3 records\n") || !strings.Contains(errOut, "not keyed") {
		t.Errorf("zgate audit verify (plain log) = %d, %q, %q; want 0, OK and a warning that it is not keyed", code, out, errOut)
	}
}
