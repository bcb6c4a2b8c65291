package app

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/zgate-dev/zgate/app/act"
	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/store"
)

// TestAuditWatch: Zs whose intent or current outcome has no audit record
// are counted (0 when every Z has its chain), incrementally as the log
// grows; a tampered chain sets the verification gauge to 0.
func TestAuditWatch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "zgate.db")
	st, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sli, err := metrics.NewSLI(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	log := audit.New(st, func() time.Time { return now })
	w := &auditWatch{st: st, sli: sli, now: func() time.Time { return now }, log: slog.New(slog.DiscardHandler)}
	exec := func(n int) store.Execution {
		return store.Execution{ID: "x" + string(rune('0'+n)), Key: store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: n},
			Gate: "production", HeadSHA: "abc", Kind: "merge", Status: store.ExecIntent, Created: now, Updated: now}
	}
	build := func(e store.Execution, status store.ExecutionStatus) store.AuditBuilder {
		b, err := log.Builder(audit.Entry{Kind: audit.KindExecution, Repo: "acme/payments", PR: e.Key.Number, Gate: e.Gate, HeadSHA: e.HeadSHA,
			Data: act.Record{ID: e.ID, Kind: e.Kind, Status: string(status)}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	check := func(wantIncomplete, wantOK float64) {
		t.Helper()
		w.check(ctx)
		if got := testutil.ToFloat64(sli.AuditIncomplete); got != wantIncomplete {
			t.Errorf("audit incomplete = %v, want %v", got, wantIncomplete)
		}
		if got := testutil.ToFloat64(sli.AuditVerifyOK); got != wantOK {
			t.Errorf("audit verify ok = %v, want %v", got, wantOK)
		}
		if got := testutil.ToFloat64(sli.AuditVerified); got != float64(now.Unix()) {
			t.Errorf("audit verified at %v, want %v", got, now.Unix())
		}
	}

	// A Z with its intent and outcome audited: complete.
	a := exec(1)
	if _, _, err := st.BeginExecutionAudited(ctx, a, build(a, store.ExecIntent)); err != nil {
		t.Fatal(err)
	}
	check(0, 1)
	if err := st.FinishExecutionAudited(ctx, a.ID, store.ExecDone, "", now, build(a, store.ExecDone)); err != nil {
		t.Fatal(err)
	}
	check(0, 1)
	// A Z whose intent was never audited, one whose outcome was not.
	b := exec(2)
	if _, _, err := st.BeginExecution(ctx, b); err != nil {
		t.Fatal(err)
	}
	c := exec(3)
	if _, _, err := st.BeginExecutionAudited(ctx, c, build(c, store.ExecIntent)); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishExecution(ctx, c.ID, store.ExecDone, "", now); err != nil {
		t.Fatal(err)
	}
	check(2, 1)

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit SET gate = 'staging' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	check(2, 0)
}

// TestOldestJobGauge: the gauge is how long the oldest due job waited,
// and 0 when none is due.
func TestOldestJobGauge(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sli, err := metrics.NewSLI(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	setOldestJob(ctx, st, sli, now)
	if got := testutil.ToFloat64(sli.OldestDueJob); got != 0 {
		t.Errorf("oldest due with no job = %v, want 0", got)
	}
	k := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 1}
	if err := st.Enqueue(ctx, k, now.Add(-7*time.Minute)); err != nil {
		t.Fatal(err)
	}
	setOldestJob(ctx, st, sli, now)
	if got := testutil.ToFloat64(sli.OldestDueJob); got < 419 || got > 421 {
		t.Errorf("oldest due = %vs, want 420s", got)
	}
}
