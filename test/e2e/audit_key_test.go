package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

// verifyAudit runs `zgate audit verify` on the world's store.
func (w *world) verifyAudit(args ...string) (code int, stdout string) {
	w.t.Helper()
	cmd := exec.Command(binary, append([]string{"audit", "verify", "--database", w.db}, args...)...)
	cmd.Env = os.Environ()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	must(w.t, err)
	return 0, out.String()
}

// rawDB opens the world's database as an administrator would, past zgate.
func (w *world) rawDB() *sql.DB {
	w.t.Helper()
	driver, dsn := "pgx", w.db
	if path, ok := strings.CutPrefix(w.db, "sqlite:"); ok {
		// The App may be writing the same file: wait for its lock.
		driver, dsn = "sqlite", path+"?_pragma=busy_timeout(20000)"
	}
	db, err := sql.Open(driver, dsn)
	must(w.t, err)
	return db
}

// readAudit returns every audit record.
func (w *world) readAudit() []store.AuditRecord {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	st, err := store.Open(ctx, w.db)
	must(w.t, err)
	defer st.Close()
	recs, err := st.AuditRecords(ctx, 0, 10000)
	must(w.t, err)
	return recs
}

// writeAudit replaces the audit table with recs, as an administrator can.
// With rehash, recs are numbered again and, from the first record that
// differs from before on, get recomputed plain hashes chained onto the one
// before (the "few lines against the database" of issue 7); strip blanks
// every key id and recomputes all of them.
func (w *world) writeAudit(before, recs []store.AuditRecord, rehash, strip bool) {
	w.t.Helper()
	recs = append([]store.AuditRecord(nil), recs...)
	if rehash {
		from := 0
		for !strip && from < len(recs) && from < len(before) && recs[from].Seq == before[from].Seq && bytes.Equal(recs[from].Data, before[from].Data) {
			from++
		}
		prev := audit.GenesisHash
		if from > 0 {
			prev = recs[from-1].Hash
		}
		for i := from; i < len(recs); i++ {
			recs[i].Seq, recs[i].PrevHash = int64(i+1), prev
			if strip {
				recs[i].KeyID = ""
			}
			recs[i].Hash = audit.Hash(recs[i])
			prev = recs[i].Hash
		}
	}
	db := w.rawDB()
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	tx, err := db.BeginTx(ctx, nil)
	must(w.t, err)
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, "DELETE FROM audit")
	must(w.t, err)
	for _, r := range recs {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit (seq, time_us, kind, repo, pr, gate, head_sha, data, prev_hash, hash, key_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			r.Seq, r.Time.UnixMicro(), r.Kind, r.Repo, r.PR, r.Gate, r.HeadSHA, r.Data, r.PrevHash, r.Hash, r.KeyID)
		must(w.t, err)
	}
	must(w.t, tx.Commit())
}

// TestAuditForgeryNeedsTheKey runs zgate serve with an audit key and a
// checkpoint file through a merge, then rewrites the audit table as a
// database administrator can (recomputing the plain hashes): a merge
// turned into "failed", a deleted decision, a cut tail, a log stripped of
// its keys. `zgate audit verify` with the key and the checkpoints fails on
// each, on SQLite and (with ZGATE_TEST_POSTGRES) PostgreSQL.
func TestAuditForgeryNeedsTheKey(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if db == "postgres" {
				w.db = storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES"))
			}
			keyFile := filepath.Join(w.dir, "audit.key")
			cpFile := filepath.Join(w.dir, "checkpoints.jsonl")
			must(t, os.WriteFile(keyFile, []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"), 0o600))
			w.serveArgs = []string{"--audit-key-file", keyFile, "--audit-checkpoint-file", cpFile, "--audit-checkpoint-interval", "50ms"}
			p := w.serve()
			n, head := w.openPR("scale", nil)
			w.pendingWith(head, 0)
			w.approve(n, "carol")
			w.approve(n, "dave")
			w.waitMerged(n)
			w.waitAudit("execution:done", 1)
			p.stop() // a last checkpoint on the way out

			withKey := []string{"--key-file", keyFile, "--checkpoints", cpFile}
			if code, out := w.verifyAudit(withKey...); code != 0 || !strings.HasPrefix(out, "audit log OK") {
				t.Fatalf("zgate audit verify (intact, key, checkpoints) = %d %q, want 0, OK", code, out)
			}
			logFile := filepath.Join(w.dir, "serve.log")
			p.mu.Lock()
			must(t, os.WriteFile(logFile, []byte(strings.Join(p.logs, "\n")), 0o600))
			p.mu.Unlock()
			if code, out := w.verifyAudit("--key-file", keyFile, "--checkpoints", logFile); code != 0 {
				t.Errorf("zgate audit verify (checkpoints from the JSON log) = %d %q, want 0", code, out)
			}
			if code, out := w.verifyAudit(); code != 3 || !strings.HasPrefix(out, "audit log NOT VERIFIED") {
				t.Errorf("zgate audit verify (no key) = %d %q, want 3, NOT VERIFIED", code, out)
			}

			orig := w.readAudit()
			var mergeSeq, decisionSeq int64
			for _, r := range orig {
				switch {
				case r.Kind == audit.KindExecution && bytes.Contains(r.Data, []byte(`"status":"done"`)):
					mergeSeq = r.Seq
				case r.Kind == audit.KindDecision && decisionSeq == 0:
					decisionSeq = r.Seq
				}
			}
			if mergeSeq == 0 || decisionSeq == 0 || orig[len(orig)-1].KeyID == "" {
				t.Fatalf("audit log lacks a keyed merge and decision: %+v", orig)
			}
			edit := func(f func(r *store.AuditRecord) bool) []store.AuditRecord {
				var out []store.AuditRecord
				for _, r := range orig {
					if f(&r) {
						out = append(out, r)
					}
				}
				return out
			}
			failed := edit(func(r *store.AuditRecord) bool {
				if r.Seq == mergeSeq {
					r.Data = bytes.Replace(r.Data, []byte(`"status":"done"`), []byte(`"status":"failed"`), 1)
				}
				return true
			})
			for _, tc := range []struct {
				name          string
				recs          []store.AuditRecord
				rehash, strip bool
				args          []string
				want          string
			}{
				{"merge rewritten as failed", failed, true, false, withKey, "bad mac"},
				{"decision deleted", edit(func(r *store.AuditRecord) bool { return r.Seq != decisionSeq }), true, false, withKey, "bad mac"},
				{"tail cut off", orig[:len(orig)-2], false, false, withKey, "truncated"},
				{"keys stripped", failed, true, true, withKey, "checkpoint"},
				{"keys stripped, no checkpoints", failed, true, true, []string{"--key-file", keyFile}, "unkeyed"},
			} {
				w.writeAudit(orig, tc.recs, tc.rehash, tc.strip)
				if tc.strip {
					// What verify said before keys: OK.
					if code, out := w.verifyAudit(); code != 0 {
						t.Errorf("%s: zgate audit verify (no key) = %d %q; a plain check should pass", tc.name, code, out)
					}
				}
				code, out := w.verifyAudit(tc.args...)
				if code != 1 || !strings.HasPrefix(out, "audit log BROKEN") || !strings.Contains(out, tc.want) {
					t.Errorf("%s: zgate audit verify = %d %q, want 1, BROKEN: %s", tc.name, code, out, tc.want)
				}
				w.writeAudit(nil, orig, false, false)
			}
		})
	}
}
