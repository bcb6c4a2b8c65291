package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

// executionDB writes a keyed audit log and three executions (unknown,
// done, unknown) to a new SQLite file; it returns the DSN, the key file
// and the executions.
func executionDB(t *testing.T) (dsn, keyFile string, xs []store.Execution) {
	t.Helper()
	dir := t.TempDir()
	dsn = "sqlite:" + filepath.Join(dir, "zgate.db")
	keyFile = filepath.Join(dir, "audit.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("k", 64)), 0o600); err != nil {
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
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if _, err := audit.NewKeyed(s, func() time.Time { return at }, key).Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i, st := range []store.ExecutionStatus{store.ExecUnknown, store.ExecDone, store.ExecUnknown} {
		x, _, err := s.BeginExecution(t.Context(), store.Execution{Key: store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: i + 1},
			Gate: "deploy", HeadSHA: "0123456789abcdef0123", Kind: "dispatch", Status: st, Detail: "crashed while dispatching", Created: at})
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x)
	}
	return dsn, keyFile, xs
}

func TestExecutionCommands(t *testing.T) {
	dsn, keyFile, xs := executionDB(t)
	db := []string{"--database", dsn}
	otherKey := filepath.Join(t.TempDir(), "other.key")
	if err := os.WriteFile(otherKey, []byte(strings.Repeat("o", 64)), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, _ := runCmd(t, "", nil, append([]string{"execution", "list", "--unknown", "--json"}, db...)...)
	var list []executionJSON
	if err := json.Unmarshal([]byte(out), &list); code != exitOK || err != nil || len(list) != 2 || list[0].Status != "unknown" || list[1].Status != "unknown" || list[0].Repo != "acme/payments" || list[0].PR+list[1].PR != 1+3 {
		t.Fatalf("execution list --unknown --json = %d, %v\n%s\nwant the two unknown executions", code, err, out)
	}
	code, out, _ = runCmd(t, "", nil, append([]string{"execution", "list"}, db...)...)
	if code != exitOK || strings.Count(out, "\n") != 4 || !strings.Contains(out, "acme/payments#2") || !strings.Contains(out, "0123456789ab ") {
		t.Errorf("execution list = %d\n%s\nwant a header and three rows with short heads", code, out)
	}

	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no id", []string{"execution", "confirm", "--reason", "x"}, exitUsage, "one execution id"},
		{"no reason", []string{"execution", "confirm", xs[0].ID}, exitUsage, "--reason is required"},
		{"keyed log, no key", []string{"execution", "confirm", xs[0].ID, "--reason", "x", "--actor", "carol"}, exitUsage, "--key-file"},
		{"another key", []string{"execution", "confirm", xs[0].ID, "--reason", "x", "--actor", "carol", "--key-file", otherKey}, exitUsage, "give zgate serve's current key"},
		{"missing id", []string{"execution", "confirm", "nope", "--reason", "x", "--actor", "carol", "--key-file", keyFile}, exitFailed, "no execution nope"},
		{"done already", []string{"execution", "fail", xs[1].ID, "--reason", "x", "--actor", "carol", "--key-file", keyFile}, exitFailed, "is done, not unknown"},
		{"confirm", []string{"execution", "confirm", xs[0].ID, "--reason", "run 7 deployed it", "--actor", "carol", "--key-file", keyFile}, exitOK, ""},
		{"confirm again", []string{"execution", "confirm", xs[0].ID, "--reason", "x", "--actor", "carol", "--key-file", keyFile}, exitFailed, "is confirmed, not unknown"},
		{"fail, flags first", []string{"execution", "fail", "--reason", "no run", "--actor", "dave", "--key-file", keyFile, xs[2].ID}, exitOK, ""},
		{"unknown subcommand", []string{"execution", "retry"}, exitUsage, "unknown subcommand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", nil, append(tc.args, db...)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("zgate %s = %d, stderr %q; want %d and %q (stdout %q)", strings.Join(tc.args, " "), code, errOut, tc.wantCode, tc.wantErr, out)
			}
		})
	}

	s, err := store.OpenExisting(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, want := range []store.ExecutionStatus{store.ExecConfirmed, store.ExecDone, store.ExecFailed} {
		x, err := s.Execution(t.Context(), xs[i].ID)
		if err != nil || x.Status != want {
			t.Errorf("execution %d = %s, %v; want %s", i, x.Status, err, want)
		}
	}
	recs, err := s.AuditRecords(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var by []string
	for _, r := range recs {
		var d resolutionRecord
		if r.Kind == audit.KindExecution && json.Unmarshal(r.Data, &d) == nil {
			by = append(by, d.Status+" by "+d.ResolvedBy+": "+d.Reason)
		}
	}
	if strings.Join(by, "; ") != "confirmed by carol: run 7 deployed it; failed by dave: no run" {
		t.Errorf("audited answers = %q", by)
	}
	if code, out, errOut := runCmd(t, "", nil, "audit", "verify", "--database", dsn, "--key-file", keyFile); code != exitOK {
		t.Errorf("audit verify = %d\n%s%s", code, out, errOut)
	}
}

// TestExecutionConfirmPlainLog checks that a key given for a plain log is
// not used: the answer is a plain record, so a zgate serve running
// without a key can go on appending.
func TestExecutionConfirmPlainLog(t *testing.T) {
	dsn, _ := auditDB(t, 2)
	keyFile := filepath.Join(t.TempDir(), "audit.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("k", 64)), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := s.BeginExecution(t.Context(), store.Execution{Key: store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 1},
		Gate: "deploy", HeadSHA: "abc", Kind: "dispatch", Status: store.ExecUnknown})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCmd(t, "", nil, "execution", "confirm", x.ID, "--reason", "ran", "--actor", "carol", "--key-file", keyFile, "--database", dsn); code != exitOK {
		t.Fatalf("confirm = %d: %s", code, errOut)
	}
	s, err = store.OpenExisting(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	last, err := s.LastAudit(t.Context())
	if err != nil || last.KeyID != "" || last.Kind != audit.KindExecution {
		t.Errorf("last record = %+v, %v; want a plain execution record", last, err)
	}
	if _, err := audit.New(s, time.Now).Append(t.Context(), audit.Entry{Kind: audit.KindDecision}); err != nil {
		t.Errorf("a plain append after the answer = %v, want nil: serve without a key goes on", err)
	}
}
