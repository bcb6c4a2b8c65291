package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
)

// kindOf builds a record of the given kind and data onto last.
func kindOf(kind, data string) store.AuditBuilder {
	return func(last *store.AuditRecord) (store.AuditRecord, error) {
		r := link(last, t0, data)
		r.Kind = kind
		return r, nil
	}
}

// auditData returns the data of every audit record, oldest first.
func auditData(t *testing.T, s *store.Store) []string {
	t.Helper()
	recs, err := s.AuditRecords(t.Context(), 0, 1000)
	if err != nil {
		t.Fatalf("AuditRecords() = %v", err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, string(r.Data))
	}
	return out
}

// testExecutionsAudited checks that an execution's state and its audit
// record are written together or not at all.
func testExecutionsAudited(t *testing.T, s *store.Store) {
	ctx := t.Context()
	boom := errors.New("boom")
	failing := func(*store.AuditRecord) (store.AuditRecord, error) { return store.AuditRecord{}, boom }
	intent := store.Execution{Key: key(7), Gate: "prod", HeadSHA: "abc", Kind: "merge", Created: t0}

	if _, _, err := s.BeginExecutionAudited(ctx, intent, failing); !errors.Is(err, boom) {
		t.Fatalf("BeginExecutionAudited(failing record) = %v, want %v", err, boom)
	}
	if xs, err := s.Executions(ctx, ""); err != nil || len(xs) != 0 {
		t.Fatalf("executions after a failed audited begin = %v, %v; want none", xs, err)
	}
	got, created, err := s.BeginExecutionAudited(ctx, intent, kindOf("execution", `"intent"`))
	if err != nil || !created || got.Status != store.ExecIntent {
		t.Fatalf("BeginExecutionAudited() = %+v, %v, %v; want created in intent", got, created, err)
	}
	again, created, err := s.BeginExecutionAudited(ctx, intent, kindOf("execution", `"again"`))
	if err != nil || created || again.ID != got.ID {
		t.Fatalf("second BeginExecutionAudited() = %+v, %v, %v; want the first, not created", again, created, err)
	}

	if err := s.FinishExecutionAudited(ctx, got.ID, store.ExecDone, "merged", t0.Add(time.Minute), failing); !errors.Is(err, boom) {
		t.Fatalf("FinishExecutionAudited(failing record) = %v, want %v", err, boom)
	}
	if x, err := s.Execution(ctx, got.ID); err != nil || x.Status != store.ExecIntent {
		t.Fatalf("execution after a failed audited finish = %+v, %v; want still intent", x, err)
	}
	if err := s.FinishExecutionAudited(ctx, got.ID, store.ExecDone, "merged", t0.Add(time.Minute), kindOf("execution", `"done"`)); err != nil {
		t.Fatalf("FinishExecutionAudited() = %v", err)
	}
	if x, err := s.Execution(ctx, got.ID); err != nil || x.Status != store.ExecDone || x.Detail != "merged" {
		t.Fatalf("execution after an audited finish = %+v, %v; want done, merged", x, err)
	}
	if err := s.FinishExecutionAudited(ctx, "nope", store.ExecDone, "", t0, kindOf("execution", `"ghost"`)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishExecutionAudited(unknown id) = %v, want ErrNotFound", err)
	}
	if err := s.FinishExecutionAudited(ctx, got.ID, "bogus", "", t0, kindOf("execution", `"bogus"`)); err == nil {
		t.Errorf("FinishExecutionAudited(bogus status) = nil, want an error")
	}
	if err := s.FinishExecutionAudited(ctx, got.ID, store.ExecDone, "unaudited", t0.Add(time.Hour), nil); err != nil {
		t.Errorf("FinishExecutionAudited(nil record) = %v", err)
	}
	if diff := cmp.Diff([]string{`"intent"`, `"done"`}, auditData(t, s)); diff != "" {
		t.Errorf("audit records (-want +got):\n%s", diff)
	}
}

// testExecutionsAuditedConcurrent races audited begins of one execution,
// audited finishes and plain appends: one execution is created with one
// record, and the chain stays whole.
func testExecutionsAuditedConcurrent(t *testing.T, s *store.Store) {
	ctx := t.Context()
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, 3*workers)
	var mu sync.Mutex
	created := 0
	for w := range workers {
		wg.Go(func() {
			e := store.Execution{Key: key(9), Gate: "prod", HeadSHA: "abc", Kind: "merge", Created: t0}
			x, ok, err := s.BeginExecutionAudited(ctx, e, kindOf("execution", fmt.Sprintf(`{"begin":%d}`, w)))
			if err != nil {
				errs <- err
				return
			}
			if ok {
				mu.Lock()
				created++
				mu.Unlock()
			}
			if err := s.FinishExecutionAudited(ctx, x.ID, store.ExecFailed, "refused", t0, kindOf("execution", fmt.Sprintf(`{"finish":%d}`, w))); err != nil {
				errs <- err
			}
		})
		wg.Go(func() {
			if _, err := s.AppendAudit(ctx, kindOf("decision", fmt.Sprintf(`{"w":%d}`, w))); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent audited writes: %v", err)
	}
	if created != 1 {
		t.Errorf("audited begins that created = %d, want 1", created)
	}
	recs, err := s.AuditRecords(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+2*workers {
		t.Errorf("audit records = %d, want %d (one begin, %d finishes, %d appends)", len(recs), 1+2*workers, workers, workers)
	}
	prev := "genesis"
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.PrevHash != prev {
			t.Fatalf("record %d: seq %d prev %q, want seq %d prev %q (chain forked or has a gap)", i, r.Seq, r.PrevHash, i+1, prev)
		}
		prev = r.Hash
	}
}

// testLastAudit checks LastAudit on an empty and a written log, and that
// the key id survives the round trip.
func testLastAudit(t *testing.T, s *store.Store) {
	ctx := t.Context()
	if _, err := s.LastAudit(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LastAudit(empty) = %v, want ErrNotFound", err)
	}
	var want store.AuditRecord
	for i := range 3 {
		r, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
			r := link(last, t0, fmt.Sprintf(`{"i":%d}`, i))
			r.KeyID = fmt.Sprintf("key-%d", i)
			return r, nil
		})
		if err != nil {
			t.Fatalf("AppendAudit() = %v", err)
		}
		want = r
	}
	got, err := s.LastAudit(ctx)
	if err != nil {
		t.Fatalf("LastAudit() = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LastAudit() mismatch (-want +got):\n%s", diff)
	}
}
