package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store/storetest"
)

// frozenMsg is the error the test's trigger raises on the audit inserts it
// freezes.
const frozenMsg = "audit frozen by test"

// freezeAudit makes every insert into the audit table whose kind is kind
// and whose data contains the JSON fragment like fail, as a database that
// stops answering (or a process killed) right there would. It returns the
// function that lifts the freeze.
func (w *world) freezeAudit(kind, like string) (unfreeze func()) {
	w.t.Helper()
	db := w.rawDB()
	driver := "pgx"
	if strings.HasPrefix(w.db, "sqlite:") {
		driver = "sqlite"
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	stmts := []string{`CREATE TRIGGER freeze_audit BEFORE INSERT ON audit
		WHEN NEW.kind = '` + kind + `' AND CAST(NEW.data AS TEXT) LIKE '%` + like + `%'
		BEGIN SELECT RAISE(ABORT, '` + frozenMsg + `'); END`}
	drop := []string{"DROP TRIGGER freeze_audit"}
	if driver == "pgx" {
		stmts = []string{`CREATE FUNCTION freeze_audit() RETURNS trigger AS $$ BEGIN
			IF NEW.kind = '` + kind + `' AND convert_from(NEW.data, 'UTF8') LIKE '%` + like + `%' THEN
				RAISE EXCEPTION '` + frozenMsg + `';
			END IF;
			RETURN NEW; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER freeze_audit BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION freeze_audit()`}
		drop = []string{"DROP TRIGGER freeze_audit ON audit", "DROP FUNCTION freeze_audit()"}
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			w.t.Fatalf("freeze the audit log: %v", err)
		}
	}
	return func() {
		w.t.Helper()
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		for _, q := range drop {
			if _, err := db.ExecContext(ctx, q); err != nil {
				w.t.Fatalf("unfreeze the audit log: %v", err)
			}
		}
	}
}

// waitLog waits until p has logged a line containing s.
func (p *proc) waitLog(t testing.TB, s string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for _, l := range p.logs {
			if strings.Contains(l, s) {
				p.mu.Unlock()
				return
			}
		}
		p.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("zgate serve did not log %q within %v", s, waitFor)
}

// exported is the part of a `zgate audit export` line the tests read.
type exported struct {
	Seq  int64  `json:"seq"`
	Kind string `json:"kind"`
	PR   int    `json:"pr"`
	Data struct {
		State    string `json:"state"`
		Status   string `json:"status"`
		Kind     string `json:"kind"`
		Decision *struct {
			State string `json:"state"`
		} `json:"decision"`
	} `json:"data"`
}

// export runs `zgate audit export` on the world's store.
func (w *world) export(args ...string) []exported {
	w.t.Helper()
	cmd := exec.Command(binary, append([]string{"audit", "export", "--database", w.db}, args...)...)
	cmd.Env = os.Environ()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		w.t.Fatalf("zgate audit export: %v\n%s", err, stderr.String())
	}
	var recs []exported
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		var r exported
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			w.t.Fatalf("export line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// TestNoZWithoutItsRecord kills the App (kill -9) between GitHub's answer
// to its merge and the audit record of that merge, and between publishing
// the decision that opened the gate and recording it, on SQLite and (with
// ZGATE_TEST_POSTGRES) PostgreSQL. A replica taking over must leave the
// merge, and the decision that allowed it, in `zgate audit export`.
func TestNoZWithoutItsRecord(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		for _, tt := range []struct {
			name string
			// kind and like select the audit inserts that fail until the
			// App is killed.
			kind, like string
			// merged tells whether GitHub has merged when the App dies.
			merged bool
		}{
			{"outcome stored, its record not", "execution", `"status":"done"`, true},
			{"decision published, its record not", "decision", `"state":"success"`, false},
		} {
			t.Run(db+"/"+tt.name, func(t *testing.T) {
				t.Parallel() // each waits out a job lease; they share nothing
				w := newWorld(t)
				if db == "postgres" {
					w.db = storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES"))
				}
				p := w.serve()
				n, head := w.openPR("scale", nil)
				w.pendingWith(head, 0)

				unfreeze := w.freezeAudit(tt.kind, tt.like)
				w.approve(n, "carol")
				w.approve(n, "dave")
				if tt.merged {
					w.waitMerged(n)
				}
				p.waitLog(t, frozenMsg)
				p.kill9()
				unfreeze()

				w.serve()
				w.waitMerged(n)
				w.waitAudit("execution:done", 1)
				if got := w.mergeCount(); got != 1 {
					t.Errorf("merges = %d, want exactly 1", got)
				}
				var done, decided int
				for _, r := range w.export() {
					if r.PR != n {
						continue
					}
					if r.Kind == "execution" && r.Data.Status == "done" && r.Data.Kind == "merge" {
						done++
					}
					if (r.Kind == "decision" && r.Data.State == "success") ||
						(r.Kind == "execution" && r.Data.Decision != nil && r.Data.Decision.State == "success") {
						decided++
					}
				}
				if done != 1 {
					t.Errorf("zgate audit export shows %d merges of #%d done, want 1", done, n)
				}
				if decided == 0 {
					t.Errorf("zgate audit export shows no successful decision behind the merge of #%d", n)
				}
			})
		}
	}
}

// exportedZ counts, per status, the execution records of PR n that
// `zgate audit export` shows for a Z of kind.
func (w *world) exportedZ(n int, kind string) map[string]int {
	w.t.Helper()
	out := map[string]int{}
	for _, r := range w.export() {
		if r.PR == n && r.Kind == "execution" && r.Data.Kind == kind {
			out[r.Data.Status]++
		}
	}
	return out
}
