package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// testResolveExecution checks that a person's answer moves only an
// unknown execution, audits it and enqueues its pull request, together.
func testResolveExecution(t *testing.T, s *store.Store) {
	ctx := t.Context()
	begin := func(sha string, status store.ExecutionStatus) store.Execution {
		t.Helper()
		e, _, err := s.BeginExecution(ctx, store.Execution{Key: key(9), Gate: "prod", HeadSHA: sha, Kind: "dispatch", Status: status, Created: t0})
		if err != nil {
			t.Fatalf("BeginExecution(%s) = %v", sha, err)
		}
		return e
	}
	unknown := begin("aaa", store.ExecUnknown)
	done := begin("bbb", store.ExecDone)
	at := t0.Add(time.Minute)

	if _, err := s.ResolveExecution(ctx, done.ID, store.ExecConfirmed, "x", at, kindOf("execution", `{"n":1}`)); !errors.Is(err, store.ErrNotUnknown) {
		t.Errorf("ResolveExecution(done) = %v, want ErrNotUnknown", err)
	}
	if _, err := s.ResolveExecution(ctx, "nope", store.ExecConfirmed, "x", at, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ResolveExecution(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.ResolveExecution(ctx, unknown.ID, store.ExecDone, "x", at, nil); err == nil {
		t.Errorf("ResolveExecution(to done) = nil, want an error: only confirmed or failed")
	}
	boom := errors.New("boom")
	failing := func(*store.AuditRecord) (store.AuditRecord, error) { return store.AuditRecord{}, boom }
	if _, err := s.ResolveExecution(ctx, unknown.ID, store.ExecConfirmed, "x", at, failing); !errors.Is(err, boom) {
		t.Fatalf("ResolveExecution(failing audit) = %v, want boom", err)
	}
	if got, _ := s.Execution(ctx, unknown.ID); got.Status != store.ExecUnknown {
		t.Fatalf("after a failed audit append the status is %s, want unknown: state and record go together", got.Status)
	}
	if n, _ := s.PendingJobs(ctx); n != 0 {
		t.Fatalf("after a failed resolve %d jobs are pending, want 0", n)
	}

	got, err := s.ResolveExecution(ctx, unknown.ID, store.ExecConfirmed, "confirmed by carol: run 7 went out", at, kindOf("execution", `{"resolved":true}`))
	if err != nil {
		t.Fatalf("ResolveExecution() = %v", err)
	}
	if got.Status != store.ExecConfirmed || got.Detail != "confirmed by carol: run 7 went out" || !got.Updated.Equal(at) {
		t.Errorf("ResolveExecution() = %+v, want confirmed with the detail at %v", got, at)
	}
	stored, err := s.Execution(ctx, unknown.ID)
	if err != nil || stored.Status != store.ExecConfirmed {
		t.Errorf("Execution() = %+v, %v; want confirmed", stored, err)
	}
	if data := auditData(t, s); len(data) != 1 || data[0] != `{"resolved":true}` {
		t.Errorf("audit data = %q, want the one resolution record", data)
	}
	job, err := s.Claim(ctx, "w", at, time.Minute)
	if err != nil || job == nil || job.Key != key(9) {
		t.Fatalf("Claim() = %+v, %v; want the pull request's re-evaluation", job, err)
	}
	if _, err := s.ResolveExecution(ctx, unknown.ID, store.ExecFailed, "y", at, nil); !errors.Is(err, store.ErrNotUnknown) {
		t.Errorf("second ResolveExecution() = %v, want ErrNotUnknown: a person's answer stands", err)
	}
}
