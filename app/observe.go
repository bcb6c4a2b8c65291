package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/store"
)

// Intervals of the SLI watchers.
const (
	// oldestJobEvery is how often the age of the oldest due job is read.
	oldestJobEvery = 5 * time.Second
	// auditWatchEvery is how often the audit chain is verified and the Zs
	// checked for their records.
	auditWatchEvery = 5 * time.Minute
	// gatePendingRetention is how long first-pending times are kept: a
	// head waiting longer for its quorum is not observed.
	gatePendingRetention = 30 * 24 * time.Hour
)

// startObserve runs the watchers behind the SLIs the engine cannot
// observe itself: the queue's oldest due job, audit completeness and
// chain verification.
func startObserve(ctx context.Context, wg *sync.WaitGroup, o Options, st *store.Store, m *metrics.Metrics) {
	wg.Go(func() { watchOldestJob(ctx, st, m.SLI, o.Now) })
	w := &auditWatch{st: st, sli: m.SLI, now: o.Now, log: o.Logger}
	wg.Go(func() { w.run(ctx, auditWatchEvery) })
}

// watchOldestJob keeps zgate_queue_oldest_due_seconds current.
func watchOldestJob(ctx context.Context, st *store.Store, sli *metrics.SLI, now func() time.Time) {
	t := time.NewTicker(oldestJobEvery)
	defer t.Stop()
	for {
		setOldestJob(ctx, st, sli, now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func setOldestJob(ctx context.Context, st *store.Store, sli *metrics.SLI, now time.Time) {
	due, ok, err := st.OldestDueJob(ctx, now)
	switch {
	case err != nil:
		// Keep the last value: a store outage shows in readiness.
	case !ok:
		sli.OldestDueJob.Set(0)
	default:
		sli.OldestDueJob.Set(max(0, now.Sub(due).Seconds()))
	}
}

// auditWatch verifies the audit chain and checks that every Z has its
// full record chain: an intent record and a record of its current
// outcome. It reads the log incrementally; the chain walk of the
// verification reads it whole.
type auditWatch struct {
	st  *store.Store
	sli *metrics.SLI
	now func() time.Time
	log *slog.Logger

	after int64                      // last audit seq read
	seen  map[string]map[string]bool // execution id -> statuses recorded
}

func (w *auditWatch) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		w.check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// check runs one round: verification, completeness, pruning.
func (w *auditWatch) check(ctx context.Context) {
	n, err := audit.Verify(ctx, w.st)
	switch {
	case err == nil:
		w.sli.AuditVerifyOK.Set(1)
		w.sli.AuditVerified.Set(float64(w.now().Unix()))
	case ctx.Err() != nil:
		return
	default:
		// Keyed records are checked for order and links only: the
		// process holds the current key, not every past one; `zgate
		// audit verify` with all keys checks their MACs.
		w.sli.AuditVerifyOK.Set(0)
		w.sli.AuditVerified.Set(float64(w.now().Unix()))
		w.log.Error("audit chain verification failed", "records", n, "err", err)
	}
	if n, err := w.incomplete(ctx); err != nil {
		w.log.Warn("cannot check the audit records of executions", "err", err)
	} else {
		w.sli.AuditIncomplete.Set(float64(n))
	}
	if _, err := w.st.PruneGatePending(ctx, w.now().Add(-gatePendingRetention)); err != nil {
		w.log.Warn("cannot prune first-pending times", "err", err)
	}
}

// incomplete counts the executions lacking their intent record or the
// record of their current status. Executions are read before the log:
// each is committed with its record, so a record is never missed for an
// execution read first.
func (w *auditWatch) incomplete(ctx context.Context) (int, error) {
	xs, err := w.st.Executions(ctx, "")
	if err != nil {
		return 0, err
	}
	if w.seen == nil {
		w.seen = map[string]map[string]bool{}
	}
	for {
		page, err := w.st.AuditRecords(ctx, w.after, 500)
		if err != nil {
			return 0, err
		}
		for _, r := range page {
			w.after = r.Seq
			if r.Kind != audit.KindExecution {
				continue
			}
			var d struct{ ID, Status string }
			if json.Unmarshal(r.Data, &d) != nil || d.ID == "" {
				continue
			}
			if w.seen[d.ID] == nil {
				w.seen[d.ID] = map[string]bool{}
			}
			w.seen[d.ID][d.Status] = true
		}
		if len(page) < 500 {
			break
		}
	}
	n := 0
	for _, x := range xs {
		got := w.seen[x.ID]
		if !got[string(store.ExecIntent)] || !got[string(x.Status)] {
			n++
		}
	}
	return n, nil
}
