package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// commitsOf runs f and returns how many write transactions it committed.
func commitsOf(s *store.Store, f func()) uint64 {
	before := s.Commits()
	f()
	return s.Commits() - before
}

func testIntake(t *testing.T, s *store.Store) {
	ctx := t.Context()
	push := store.Push{RepoID: 7, Number: 1, HeadSHA: "AAA", Sender: "alice", SeenAt: t0}
	in := store.Intake{Delivery: "d1", Event: "pull_request", Received: t0,
		Pushes: []store.Push{push}, Jobs: []store.PRKey{key(2), key(1)}}
	var isNew bool
	var err error
	if n := commitsOf(s, func() { isNew, err = s.Intake(ctx, in) }); err != nil || !isNew || n != 1 {
		t.Fatalf("Intake() = %v, %v in %d commits; want true, nil in 1", isNew, err, n)
	}
	if seen, err := s.DeliverySeen(ctx, "d1"); err != nil || !seen {
		t.Errorf("DeliverySeen(d1) = %v, %v; want true, nil", seen, err)
	}
	ps, err := s.Pushes(ctx, 7, 1, "aaa")
	if err != nil || len(ps) != 1 || ps[0].Sender != "alice" {
		t.Errorf("Pushes() = %+v, %v; want alice's", ps, err)
	}
	wantPending(t, s, 2)
	if j := mustClaim(t, s, t0, time.Minute); j == nil || j.Key != key(1) {
		t.Errorf("Claim() = %+v, want PR 1's job", j)
	}
	// A replay is not new; its jobs coalesce with those queued.
	if isNew, err := s.Intake(ctx, in); err != nil || isNew {
		t.Errorf("Intake(replay) = %v, %v; want false, nil", isNew, err)
	}
	wantPending(t, s, 2)
	// Pushes of an ignored event: no delivery recorded.
	if isNew, err := s.Intake(ctx, store.Intake{Received: t0, Pushes: []store.Push{{RepoID: 7, HeadSHA: "bbb", Sender: "bob", SeenAt: t0}}}); err != nil || isNew {
		t.Errorf("Intake(pushes only) = %v, %v; want false, nil", isNew, err)
	}
	// All or nothing: a bad push leaves the delivery and its jobs out.
	bad := store.Intake{Delivery: "d2", Event: "push", Received: t0, Pushes: []store.Push{{RepoID: 7}}, Jobs: []store.PRKey{key(3)}}
	if _, err := s.Intake(ctx, bad); err == nil {
		t.Errorf("Intake(push without head) = nil error, want an error")
	}
	if _, err := s.Intake(ctx, store.Intake{Delivery: "d3", Received: t0, Jobs: []store.PRKey{{Owner: "acme"}}}); err == nil {
		t.Errorf("Intake(incomplete key) = nil error, want an error")
	}
	if seen, err := s.DeliverySeen(ctx, "d2"); err != nil || seen {
		t.Errorf("DeliverySeen(d2) = %v, %v; want false, nil", seen, err)
	}
	wantPending(t, s, 2)
}

// stagedRecord is an audit builder for the suite.
func stagedRecord(data string) store.AuditBuilder {
	return func(last *store.AuditRecord) (store.AuditRecord, error) { return link(last, t0, data), nil }
}

func testSettleFinish(t *testing.T, s *store.Store) {
	ctx := t.Context()
	mustEnqueue(t, s, key(1), t0)
	j := mustClaim(t, s, t0, time.Minute)
	fin := s.NewFinish()
	if !fin.Empty() {
		t.Fatal("NewFinish().Empty() = false")
	}
	if err := fin.SetCheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod", 11, "fp1"); err != nil {
		t.Fatal(err)
	}
	if err := fin.SetCheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod", 12, "fp2"); err != nil {
		t.Fatal(err)
	}
	fin.AppendAudit(stagedRecord("decision 1"))
	fin.AppendAudit(stagedRecord("decision 2"))
	if err := fin.Enqueue(key(1), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := fin.Enqueue(store.PRKey{}, t0); err == nil {
		t.Errorf("Finish.Enqueue(incomplete key) = nil error, want an error")
	}
	// Staged writes are seen through the Finish, not yet in the store.
	if id, fp, err := fin.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); err != nil || id != 12 || fp != "fp2" {
		t.Errorf("Finish.CheckFingerprint() = %d, %q, %v; want 12, fp2, nil", id, fp, err)
	}
	if _, _, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CheckFingerprint() before Settle = %v, want ErrNotFound", err)
	}
	if _, _, err := fin.CheckFingerprint(ctx, "acme", "payments", "abc", "other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Finish.CheckFingerprint(unknown) = %v, want ErrNotFound", err)
	}
	var err error
	if n := commitsOf(s, func() { err = s.Settle(ctx, j, store.Settlement{}, fin) }); err != nil || n != 1 {
		t.Fatalf("Settle() = %v in %d commits, want nil in 1", err, n)
	}
	if !fin.Empty() {
		t.Errorf("Finish.Empty() after Settle = false")
	}
	if id, fp, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); err != nil || id != 12 || fp != "fp2" {
		t.Errorf("CheckFingerprint() = %d, %q, %v; want 12, fp2, nil", id, fp, err)
	}
	recs, err := s.AuditRecords(ctx, 0, 10)
	if err != nil || len(recs) != 2 || string(recs[0].Data) != "decision 1" || string(recs[1].Data) != "decision 2" {
		t.Errorf("AuditRecords() = %+v, %v; want decision 1 then 2", recs, err)
	}
	// The staged timer made the completed job run again then.
	wantPending(t, s, 1)
	wantNoClaim(t, s, t0.Add(time.Hour-time.Microsecond))
	j = mustClaim(t, s, t0.Add(time.Hour), time.Minute)
	if j == nil || j.Key != key(1) || j.Attempt != 0 {
		t.Fatalf("Claim() = %+v, want PR 1's timer", j)
	}
	// Retry and release settle with staged writes too.
	fin.AppendAudit(stagedRecord("decision 3"))
	if err := s.Settle(ctx, j, store.Settlement{Retry: true, RunAt: t0.Add(2 * time.Hour)}, fin); err != nil {
		t.Fatalf("Settle(retry) = %v", err)
	}
	j = mustClaim(t, s, t0.Add(2*time.Hour), time.Minute)
	if j == nil || j.Attempt != 1 {
		t.Fatalf("Claim() after retry = %+v, want attempt 1", j)
	}
	if err := s.Settle(ctx, j, store.Settlement{Release: true}, nil); err != nil {
		t.Fatalf("Settle(release) = %v", err)
	}
	if j = mustClaim(t, s, t0.Add(2*time.Hour), time.Minute); j == nil || j.Attempt != 1 {
		t.Fatalf("Claim() after release = %+v, want attempt 1", j)
	}
	if err := s.Settle(ctx, j, store.Settlement{Retry: true, Release: true}, nil); err == nil {
		t.Errorf("Settle(retry and release) = nil error, want an error")
	}
	if last, err := s.LastAudit(ctx); err != nil || string(last.Data) != "decision 3" {
		t.Errorf("LastAudit() = %+v, %v; want decision 3", last, err)
	}
}

// testSettleClaimLost: what a run did on GitHub is recorded even when its
// claim ran out meanwhile.
func testSettleClaimLost(t *testing.T, s *store.Store) {
	ctx := t.Context()
	mustEnqueue(t, s, key(1), t0)
	j := mustClaim(t, s, t0, time.Minute)
	if j2 := mustClaim(t, s, t0.Add(time.Minute), time.Minute); j2 == nil {
		t.Fatal("Claim() after the lease = nil, want the job")
	}
	fin := s.NewFinish()
	if err := fin.SetCheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod", 11, "fp"); err != nil {
		t.Fatal(err)
	}
	fin.AppendAudit(stagedRecord("decision"))
	if err := s.Settle(ctx, j, store.Settlement{}, fin); !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("Settle(lost claim) = %v, want ErrClaimLost", err)
	}
	if _, fp, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); err != nil || fp != "fp" {
		t.Errorf("CheckFingerprint() = %q, %v; want fp, nil", fp, err)
	}
	if _, err := s.LastAudit(ctx); err != nil {
		t.Errorf("LastAudit() = %v, want the staged record", err)
	}
	wantPending(t, s, 1)
}

// testSettleFailureKeepsStaged: a finish that fails commits nothing, and
// its writes stay staged for the next try.
func testSettleFailureKeepsStaged(t *testing.T, s *store.Store) {
	ctx := t.Context()
	mustEnqueue(t, s, key(1), t0)
	j := mustClaim(t, s, t0, time.Minute)
	fin := s.NewFinish()
	if err := fin.SetCheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod", 11, "fp"); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("broken builder")
	fails := true
	fin.AppendAudit(func(last *store.AuditRecord) (store.AuditRecord, error) {
		if fails {
			return store.AuditRecord{}, broken
		}
		return link(last, t0, "decision"), nil
	})
	if err := s.Settle(ctx, j, store.Settlement{}, fin); !errors.Is(err, broken) {
		t.Fatalf("Settle(failing builder) = %v, want it wrapped", err)
	}
	if _, _, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CheckFingerprint() after a failed Settle = %v, want ErrNotFound", err)
	}
	if fin.Empty() {
		t.Fatal("Finish.Empty() after a failed Settle = true, want its writes kept")
	}
	if id, _, err := fin.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); err != nil || id != 11 {
		t.Errorf("Finish.CheckFingerprint() after a failed Settle = %d, %v; want 11", id, err)
	}
	wantNoClaim(t, s, t0) // still claimed
	fails = false
	if err := s.Flush(ctx, fin); err != nil {
		t.Fatalf("Flush() = %v", err)
	}
	if _, fp, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); err != nil || fp != "fp" {
		t.Errorf("CheckFingerprint() after Flush = %q, %v; want fp", fp, err)
	}
	if recs, err := s.AuditRecords(ctx, 0, 10); err != nil || len(recs) != 1 {
		t.Errorf("AuditRecords() after Flush = %d records, %v; want 1", len(recs), err)
	}
	if n := commitsOf(s, func() {
		if err := s.Flush(ctx, fin); err != nil {
			t.Errorf("Flush(empty) = %v", err)
		}
	}); n != 0 {
		t.Errorf("Flush(empty) committed %d transactions, want 0", n)
	}
	if err := s.Settle(ctx, j, store.Settlement{}, nil); err != nil {
		t.Errorf("Complete() after Flush = %v", err)
	}
	wantPending(t, s, 0)
}

// testSettleAndClaim: a worker's settlement claims its next due job in
// the same commit — the earliest due, never the job just completed unless
// it is due again, nothing when none is due — and a settlement whose
// claim was lost still claims.
func testSettleAndClaim(t *testing.T, s *store.Store) {
	ctx := t.Context()
	next := store.NextClaim{Worker: "w", Now: t0, Lease: time.Minute}
	mustEnqueue(t, s, key(1), t0)
	mustEnqueue(t, s, key(2), t0.Add(time.Second))
	mustEnqueue(t, s, key(3), t0.Add(time.Hour))
	j := mustClaim(t, s, t0, time.Minute)
	if j == nil || j.Key != key(1) {
		t.Fatalf("Claim() = %+v, want %v", j, key(1))
	}
	fin := s.NewFinish()
	if err := fin.SetCheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod", 11, "fp"); err != nil {
		t.Fatal(err)
	}
	// Not due yet at t0: key(2) stays.
	var got *store.Job
	var err error
	if n := commitsOf(s, func() { got, err = s.SettleAndClaim(ctx, j, store.Settlement{}, fin, next) }); err != nil || n != 1 || got != nil {
		t.Fatalf("SettleAndClaim() at t0 = %+v, %v in %d commits; want nil, nil in 1", got, err, n)
	}
	if _, fp, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); err != nil || fp != "fp" {
		t.Errorf("CheckFingerprint() = %q, %v; want fp, nil", fp, err)
	}
	wantPending(t, s, 2)

	next.Now = t0.Add(time.Second)
	j = mustClaim(t, s, next.Now, time.Minute)
	if j == nil || j.Key != key(2) {
		t.Fatalf("Claim() = %+v, want %v", j, key(2))
	}
	// key(2) asked again while claimed, due now: the settlement keeps it
	// and claims it again as the earliest due job.
	mustEnqueue(t, s, key(2), next.Now)
	if n := commitsOf(s, func() { got, err = s.SettleAndClaim(ctx, j, store.Settlement{}, s.NewFinish(), next) }); err != nil || n != 1 || got == nil || got.Key != key(2) || got.Token == j.Token {
		t.Fatalf("SettleAndClaim() with %v due again = %+v, %v in %d commits; want a new claim of it in 1", key(2), got, err, n)
	}
	if again := mustClaim(t, s, next.Now, time.Minute); again != nil {
		t.Fatalf("Claim() = %+v while the settlement holds the only due job", again)
	}

	// The lease ran out and another worker took key(2): the settlement
	// still commits and claims, and says the claim was lost.
	mustEnqueue(t, s, key(4), next.Now)
	late := next.Now.Add(time.Minute)
	if other := mustClaim(t, s, late, time.Minute); other == nil || other.Key != key(2) {
		t.Fatalf("Claim() after the lease = %+v, want %v", other, key(2))
	}
	next.Now = late
	got, err = s.SettleAndClaim(ctx, got, store.Settlement{}, s.NewFinish(), next)
	if !errors.Is(err, store.ErrClaimLost) || got == nil || got.Key != key(4) {
		t.Fatalf("SettleAndClaim(lost claim) = %+v, %v; want %v and ErrClaimLost", got, err, key(4))
	}
	if _, err := s.SettleAndClaim(ctx, got, store.Settlement{}, nil, store.NextClaim{Worker: "w", Now: late}); err == nil {
		t.Error("SettleAndClaim() without a lease = nil error")
	}
}
