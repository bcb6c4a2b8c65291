package audit_test

import (
	"bytes"
	"database/sql"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// stepClock returns a clock that advances by one second per call.
func stepClock() func() time.Time {
	n := 0
	return func() time.Time {
		n++
		return t0.Add(time.Duration(n) * time.Second)
	}
}

func openStore(t testing.TB, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("store.Open(%q) = %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// entries is a small, realistic trail for one PR.
var entries = []audit.Entry{
	{Kind: audit.KindDecision, Repo: "acme/payments", PR: 7, Gate: "prod", HeadSHA: "1111111",
		Data: map[string]any{"state": "pending", "missing": []string{"@acme/sre"}}},
	{Kind: audit.KindWebhookRejected, Data: map[string]any{"delivery": "d-1", "reason": "bad signature"}},
	{Kind: audit.KindDecision, Repo: "acme/payments", PR: 7, Gate: "prod", HeadSHA: "1111111",
		Data: map[string]any{"state": "success"}},
	{Kind: audit.KindExecution, Repo: "acme/payments", PR: 7, Gate: "prod", HeadSHA: "1111111",
		Data: map[string]any{"kind": "merge", "status": "done"}},
	{Kind: audit.KindOverride, Repo: "acme/payments", PR: 8, Gate: "prod", HeadSHA: "2222222",
		Data: map[string]any{"by": "alice", "reason": "incident 42 <hotfix>"}},
}

func appendAll(t *testing.T, s *store.Store) []store.AuditRecord {
	t.Helper()
	l := audit.New(s, stepClock())
	var out []store.AuditRecord
	for _, e := range entries {
		r, err := l.Append(t.Context(), e)
		if err != nil {
			t.Fatalf("Append(%s) = %v", e.Kind, err)
		}
		out = append(out, r)
	}
	return out
}

func TestAppendChainsRecords(t *testing.T) {
	s := openStore(t, "sqlite::memory:")
	recs := appendAll(t, s)
	prev := audit.GenesisHash
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.PrevHash != prev || r.Hash != audit.Hash(r) {
			t.Errorf("record %d = seq %d prev %s hash %s; want seq %d prev %s and a matching hash", i, r.Seq, r.PrevHash, r.Hash, i+1, prev)
		}
		prev = r.Hash
	}
	stored, err := s.AuditRecords(t.Context(), 0, 100)
	if err != nil {
		t.Fatalf("AuditRecords() = %v", err)
	}
	if diff := cmp.Diff(stored, recs); diff != "" {
		t.Errorf("stored records mismatch (-got +want):\n%s", diff)
	}
	n, err := audit.Verify(t.Context(), s)
	if err != nil || n != len(entries) {
		t.Errorf("Verify() = %d, %v; want %d, nil", n, err, len(entries))
	}
}

func TestAppendRejects(t *testing.T) {
	s := openStore(t, "sqlite::memory:")
	l := audit.New(s, stepClock())
	for _, tc := range []struct {
		name string
		e    audit.Entry
	}{
		{"no kind", audit.Entry{Repo: "acme/payments"}},
		{"data not JSON", audit.Entry{Kind: audit.KindDecision, Data: func() {}}},
	} {
		if _, err := l.Append(t.Context(), tc.e); err == nil {
			t.Errorf("%s: Append() = nil error, want an error", tc.name)
		}
	}
}

func TestAppendKeepsTimeMonotonic(t *testing.T) {
	s := openStore(t, "sqlite::memory:")
	times := []time.Time{t0.Add(time.Hour), t0, t0.Add(2 * time.Hour).Add(1)}
	i := 0
	l := audit.New(s, func() time.Time { i++; return times[i-1] })
	var got []time.Time
	for range times {
		r, err := l.Append(t.Context(), audit.Entry{Kind: audit.KindDecision})
		if err != nil {
			t.Fatalf("Append() = %v", err)
		}
		got = append(got, r.Time)
	}
	want := []time.Time{t0.Add(time.Hour), t0.Add(time.Hour), t0.Add(2 * time.Hour)}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("record times mismatch (-got +want):\n%s", diff)
	}
	if _, err := audit.Verify(t.Context(), s); err != nil {
		t.Errorf("Verify() = %v", err)
	}
}

func TestVerifyEmpty(t *testing.T) {
	n, err := audit.Verify(t.Context(), openStore(t, "sqlite::memory:"))
	if err != nil || n != 0 {
		t.Errorf("Verify(empty) = %d, %v; want 0, nil", n, err)
	}
}

func TestVerifyManyPages(t *testing.T) {
	s := openStore(t, "sqlite::memory:")
	l := audit.New(s, stepClock())
	const n = 1234 // more than two pages
	for i := range n {
		if _, err := l.Append(t.Context(), audit.Entry{Kind: audit.KindDecision, PR: i}); err != nil {
			t.Fatalf("Append() = %v", err)
		}
	}
	got, err := audit.Verify(t.Context(), s)
	if err != nil || got != n {
		t.Errorf("Verify() = %d, %v; want %d, nil", got, err, n)
	}
}

// TestVerifyDetectsTampering changes the database behind the log's back and
// checks that Verify names the first broken record.
func TestVerifyDetectsTampering(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sql     []string
		seq     int64
		problem audit.Problem
		records int
	}{
		{"data edited", []string{`UPDATE audit SET data = CAST('{"state":"success"}' AS BLOB) WHERE seq = 1`}, 1, audit.ProblemBadHash, 0},
		{"gate edited", []string{`UPDATE audit SET gate = 'staging' WHERE seq = 3`}, 3, audit.ProblemBadHash, 2},
		{"time edited", []string{`UPDATE audit SET time_us = time_us + 1 WHERE seq = 2`}, 2, audit.ProblemBadHash, 1},
		{"row deleted", []string{`DELETE FROM audit WHERE seq = 3`}, 4, audit.ProblemGap, 2},
		{"first row deleted", []string{`DELETE FROM audit WHERE seq = 1`}, 2, audit.ProblemGap, 0},
		{"rows reordered", []string{
			`UPDATE audit SET seq = -seq WHERE seq IN (2, 3)`,
			`UPDATE audit SET seq = 3 WHERE seq = -2`,
			`UPDATE audit SET seq = 2 WHERE seq = -3`,
		}, 2, audit.ProblemBrokenLink, 1},
		{"record rewritten with a fresh hash", []string{
			`UPDATE audit SET data = CAST('{}' AS BLOB), hash = 'ffff' WHERE seq = 4`,
		}, 4, audit.ProblemBadHash, 3},
		{"link edited", []string{`UPDATE audit SET prev_hash = hash WHERE seq = 5`}, 5, audit.ProblemBrokenLink, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "zgate.db")
			s, err := store.Open(t.Context(), "sqlite:"+path)
			if err != nil {
				t.Fatalf("store.Open() = %v", err)
			}
			appendAll(t, s)
			s.Close()

			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.sql {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("tamper %q: %v", q, err)
				}
			}
			db.Close()

			n, err := audit.Verify(t.Context(), openStore(t, "sqlite:"+path))
			var ce *audit.ChainError
			if !errors.As(err, &ce) || !errors.Is(err, audit.ErrChainBroken) {
				t.Fatalf("Verify() = %d, %v; want a *ChainError", n, err)
			}
			if ce.Seq != tc.seq || ce.Problem != tc.problem || n != tc.records {
				t.Errorf("Verify() = %d, seq %d %q; want %d, seq %d %q", n, ce.Seq, ce.Problem, tc.records, tc.seq, tc.problem)
			}
		})
	}
}

func TestExportGolden(t *testing.T) {
	s := openStore(t, "sqlite::memory:")
	appendAll(t, s)
	var buf bytes.Buffer
	if err := audit.Export(t.Context(), s, &buf); err != nil {
		t.Fatalf("Export() = %v", err)
	}
	golden := filepath.Join("testdata", "export.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if diff := cmp.Diff(buf.String(), string(want)); diff != "" {
		t.Errorf("Export() mismatch (-got +want):\n%s", diff)
	}
}

func TestHashKnownAnswer(t *testing.T) {
	r := store.AuditRecord{Seq: 1, Time: t0, Kind: "decision", Repo: "acme/payments", PR: 7,
		Gate: "prod", HeadSHA: "abc", Data: []byte(`{"state":"success"}`), PrevHash: audit.GenesisHash}
	got := audit.Hash(r)
	// Recorded once; a change here breaks every existing audit log.
	const want = "e9f7ca40c2e14d019ed9e3a9374247816e30485cfccebba5a2d86f1ea0fde5ea"
	if got != want {
		t.Errorf("Hash() = %s, want %s", got, want)
	}
}

func BenchmarkAppend(b *testing.B) {
	for _, tc := range []struct{ name, dsn string }{
		{"sqlite-memory", "sqlite::memory:"},
		{"sqlite-file", "sqlite:" + filepath.Join(b.TempDir(), "bench.db")},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := openStore(b, tc.dsn)
			l := audit.New(s, time.Now)
			e := audit.Entry{Kind: audit.KindDecision, Repo: "acme/payments", PR: 7, Gate: "prod",
				HeadSHA: "0123456789abcdef0123456789abcdef01234567",
				Data:    map[string]any{"state": "success", "approvals": []string{"alice", "bob"}}}
			for b.Loop() {
				if _, err := l.Append(b.Context(), e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
