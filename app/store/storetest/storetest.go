package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
)

// Open returns a fresh, empty store; the suite closes it.
type Open func(t *testing.T) *store.Store

// Run runs every conformance test against stores from open, each test in
// its own subtest with its own store.
func Run(t *testing.T, open Open) {
	t.Helper()
	tests := []struct {
		name string
		f    func(t *testing.T, s *store.Store)
	}{
		{"Deliveries", testDeliveries},
		{"ClaimNothingDue", testClaimNothingDue},
		{"EnqueueClaimRoundTrip", testEnqueueClaimRoundTrip},
		{"Coalescing", testCoalescing},
		{"ClaimOrder", testClaimOrder},
		{"ClaimedPRNotClaimedTwice", testClaimedNotTwice},
		{"LeaseExpiryReclaim", testLeaseExpiry},
		{"DirtyRerun", testDirtyRerun},
		{"DirtyFutureTimer", testDirtyFuture},
		{"Retry", testRetry},
		{"Release", testRelease},
		{"NextDue", testNextDue},
		{"ConcurrentClaims", testConcurrentClaims},
		{"Executions", testExecutions},
		{"ConcurrentBeginExecution", testConcurrentBeginExecution},
		{"CheckFingerprints", testCheckFingerprints},
		{"AuditAppend", testAuditAppend},
		{"AuditRejectsBadLinks", testAuditRejects},
		{"AuditConcurrentAppends", testAuditConcurrent},
		{"Ping", func(t *testing.T, s *store.Store) {
			if err := s.Ping(t.Context()); err != nil {
				t.Fatalf("Ping() = %v, want nil", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close() = %v", err)
				}
			})
			tc.f(t, s)
		})
	}
}

// t0 is the suite's fixed "now", with microseconds to check precision.
var t0 = time.Date(2026, 11, 25, 10, 0, 0, 123456000, time.UTC)

func key(n int) store.PRKey {
	return store.PRKey{Installation: 42, Owner: "acme", Repo: "payments", Number: n}
}

func mustEnqueue(t *testing.T, s *store.Store, k store.PRKey, at time.Time) {
	t.Helper()
	if err := s.Enqueue(t.Context(), k, at); err != nil {
		t.Fatalf("Enqueue(%v, %v) = %v", k, at, err)
	}
}

func mustClaim(t *testing.T, s *store.Store, now time.Time, lease time.Duration) *store.Job {
	t.Helper()
	j, err := s.Claim(t.Context(), "w", now, lease)
	if err != nil {
		t.Fatalf("Claim(%v) = %v", now, err)
	}
	return j
}

func wantNoClaim(t *testing.T, s *store.Store, now time.Time) {
	t.Helper()
	if j := mustClaim(t, s, now, time.Minute); j != nil {
		t.Fatalf("Claim(%v) = %+v, want nil", now, j)
	}
}

func wantPending(t *testing.T, s *store.Store, want int) {
	t.Helper()
	n, err := s.PendingJobs(t.Context())
	if err != nil {
		t.Fatalf("PendingJobs() = %v", err)
	}
	if n != want {
		t.Fatalf("PendingJobs() = %d, want %d", n, want)
	}
}

func testDeliveries(t *testing.T, s *store.Store) {
	ctx := t.Context()
	for _, step := range []struct {
		id   string
		at   time.Time
		want bool
	}{
		{"d1", t0, true},
		{"d2", t0.Add(time.Hour), true},
		{"d1", t0.Add(2 * time.Hour), false},
	} {
		got, err := s.RecordDelivery(ctx, step.id, "pull_request", step.at)
		if err != nil || got != step.want {
			t.Fatalf("RecordDelivery(%q) = %v, %v; want %v, nil", step.id, got, err, step.want)
		}
	}
	if _, err := s.RecordDelivery(ctx, "", "push", t0); err == nil {
		t.Errorf("RecordDelivery(\"\") = nil error, want an error")
	}
	n, err := s.PruneDeliveries(ctx, t0.Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("PruneDeliveries() = %d, %v; want 1, nil", n, err)
	}
	got, err := s.RecordDelivery(ctx, "d1", "pull_request", t0)
	if err != nil || !got {
		t.Errorf("RecordDelivery(d1) after prune = %v, %v; want true, nil", got, err)
	}
}

func testClaimNothingDue(t *testing.T, s *store.Store) {
	wantNoClaim(t, s, t0)
	if _, err := s.Claim(t.Context(), "w", t0, 0); err == nil {
		t.Errorf("Claim(lease 0) = nil error, want an error")
	}
	if err := s.Enqueue(t.Context(), store.PRKey{Owner: "acme"}, t0); err == nil {
		t.Errorf("Enqueue(incomplete key) = nil error, want an error")
	}
}

func testEnqueueClaimRoundTrip(t *testing.T, s *store.Store) {
	mustEnqueue(t, s, key(1), t0)
	wantNoClaim(t, s, t0.Add(-time.Microsecond))
	j := mustClaim(t, s, t0, time.Minute)
	if j == nil {
		t.Fatal("Claim() = nil, want the job")
	}
	want := store.Job{Key: key(1), Token: j.Token, RunAt: t0, Attempt: 0}
	if diff := cmp.Diff(*j, want); diff != "" {
		t.Errorf("Claim() mismatch (-got +want):\n%s", diff)
	}
	if j.Token == "" {
		t.Errorf("Claim().Token is empty")
	}
	if err := s.Complete(t.Context(), j); err != nil {
		t.Fatalf("Complete() = %v", err)
	}
	wantPending(t, s, 0)
	// A time in another zone comes back as the same instant, in UTC.
	mustEnqueue(t, s, key(2), t0.In(time.FixedZone("IST", 5*3600+1800)))
	if j2 := mustClaim(t, s, t0, time.Minute); j2 == nil || !j2.RunAt.Equal(t0) || j2.RunAt.Location() != time.UTC {
		t.Errorf("Claim() = %+v, want RunAt %v in UTC", j2, t0)
	}
	if err := s.Complete(t.Context(), j); !errors.Is(err, store.ErrClaimLost) {
		t.Errorf("second Complete() = %v, want ErrClaimLost", err)
	}
}

func testCoalescing(t *testing.T, s *store.Store) {
	for _, at := range []time.Duration{time.Hour, 10 * time.Minute, 30 * time.Minute, 10 * time.Minute} {
		mustEnqueue(t, s, key(1), t0.Add(at))
	}
	wantPending(t, s, 1)
	wantNoClaim(t, s, t0.Add(10*time.Minute-time.Microsecond))
	j := mustClaim(t, s, t0.Add(time.Hour), time.Minute)
	if j == nil || !j.RunAt.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("Claim() = %+v, want RunAt %v", j, t0.Add(10*time.Minute))
	}
	if err := s.Complete(t.Context(), j); err != nil {
		t.Fatalf("Complete() = %v", err)
	}
	wantNoClaim(t, s, t0.Add(2*time.Hour))
}

func testClaimOrder(t *testing.T, s *store.Store) {
	mustEnqueue(t, s, key(1), t0.Add(3*time.Second))
	mustEnqueue(t, s, key(2), t0.Add(1*time.Second))
	mustEnqueue(t, s, key(3), t0.Add(2*time.Second))
	var got []int
	for {
		j := mustClaim(t, s, t0.Add(time.Minute), time.Minute)
		if j == nil {
			break
		}
		got = append(got, j.Key.Number)
	}
	if diff := cmp.Diff(got, []int{2, 3, 1}); diff != "" {
		t.Errorf("claim order mismatch (-got +want):\n%s", diff)
	}
}

func testClaimedNotTwice(t *testing.T, s *store.Store) {
	mustEnqueue(t, s, key(1), t0)
	j := mustClaim(t, s, t0, time.Minute)
	if j == nil {
		t.Fatal("Claim() = nil, want the job")
	}
	// Enqueueing again while claimed must not make it claimable in parallel.
	mustEnqueue(t, s, key(1), t0)
	wantNoClaim(t, s, t0.Add(59*time.Second))
	wantPending(t, s, 1)
}

func testLeaseExpiry(t *testing.T, s *store.Store) {
	ctx := t.Context()
	mustEnqueue(t, s, key(1), t0)
	j1 := mustClaim(t, s, t0, time.Minute)
	if j1 == nil {
		t.Fatal("Claim() = nil, want the job")
	}
	wantNoClaim(t, s, t0.Add(time.Minute-time.Microsecond))
	j2 := mustClaim(t, s, t0.Add(time.Minute), time.Minute)
	if j2 == nil {
		t.Fatal("Claim() after lease expiry = nil, want the job again")
	}
	if j2.Token == j1.Token || j2.Attempt != 1 || j2.Key != key(1) {
		t.Errorf("re-claim = %+v, want a new token, attempt 1, key %v", j2, key(1))
	}
	for name, f := range map[string]func() error{
		"Complete": func() error { return s.Complete(ctx, j1) },
		"Retry":    func() error { return s.Retry(ctx, j1, t0) },
		"Release":  func() error { return s.Release(ctx, j1) },
	} {
		if err := f(); !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("%s(stale token) = %v, want ErrClaimLost", name, err)
		}
	}
	if err := s.Complete(ctx, j2); err != nil {
		t.Fatalf("Complete(new claim) = %v", err)
	}
	wantPending(t, s, 0)
}

func testDirtyRerun(t *testing.T, s *store.Store) {
	ctx := t.Context()
	mustEnqueue(t, s, key(1), t0)
	j := mustClaim(t, s, t0, time.Minute)
	mustEnqueue(t, s, key(1), t0.Add(time.Second))
	mustEnqueue(t, s, key(1), t0.Add(2*time.Second))
	if err := s.Complete(ctx, j); err != nil {
		t.Fatalf("Complete() = %v", err)
	}
	wantPending(t, s, 1)
	j2 := mustClaim(t, s, t0.Add(5*time.Second), time.Minute)
	if j2 == nil || !j2.RunAt.Equal(t0.Add(time.Second)) || j2.Attempt != 0 {
		t.Fatalf("Claim() after dirty Complete = %+v, want RunAt %v attempt 0", j2, t0.Add(time.Second))
	}
	if err := s.Complete(ctx, j2); err != nil {
		t.Fatalf("Complete() = %v", err)
	}
	wantPending(t, s, 0)
}

func testDirtyFuture(t *testing.T, s *store.Store) {
	mustEnqueue(t, s, key(1), t0)
	j := mustClaim(t, s, t0, time.Minute)
	mustEnqueue(t, s, key(1), t0.Add(time.Hour)) // an expires_at timer
	if err := s.Complete(t.Context(), j); err != nil {
		t.Fatalf("Complete() = %v", err)
	}
	wantNoClaim(t, s, t0.Add(time.Hour-time.Microsecond))
	if j := mustClaim(t, s, t0.Add(time.Hour), time.Minute); j == nil {
		t.Fatal("Claim() at the timer = nil, want the job")
	}
}

func testRetry(t *testing.T, s *store.Store) {
	ctx := t.Context()
	mustEnqueue(t, s, key(1), t0)
	j := mustClaim(t, s, t0, time.Minute)
	if err := s.Retry(ctx, j, t0.Add(10*time.Second)); err != nil {
		t.Fatalf("Retry() = %v", err)
	}
	wantNoClaim(t, s, t0.Add(10*time.Second-time.Microsecond))
	j = mustClaim(t, s, t0.Add(10*time.Second), time.Minute)
	if j == nil || j.Attempt != 1 {
		t.Fatalf("Claim() after Retry = %+v, want attempt 1", j)
	}
	// An event while the retrying run is claimed, due sooner than the backoff.
	mustEnqueue(t, s, key(1), t0.Add(11*time.Second))
	if err := s.Retry(ctx, j, t0.Add(time.Hour)); err != nil {
		t.Fatalf("Retry() = %v", err)
	}
	j = mustClaim(t, s, t0.Add(11*time.Second), time.Minute)
	if j == nil || j.Attempt != 2 {
		t.Fatalf("Claim() after Retry with a dirty enqueue = %+v, want the job at attempt 2", j)
	}
	if err := s.Complete(ctx, j); err != nil {
		t.Fatalf("Complete() = %v", err)
	}
	mustEnqueue(t, s, key(1), t0.Add(time.Hour))
	if j := mustClaim(t, s, t0.Add(time.Hour), time.Minute); j == nil || j.Attempt != 0 {
		t.Fatalf("Claim() after Complete = %+v, want attempt 0", j)
	}
}

func testRelease(t *testing.T, s *store.Store) {
	mustEnqueue(t, s, key(1), t0)
	j := mustClaim(t, s, t0, time.Minute)
	if err := s.Release(t.Context(), j); err != nil {
		t.Fatalf("Release() = %v", err)
	}
	j2 := mustClaim(t, s, t0, time.Minute)
	if j2 == nil || j2.Attempt != 0 || !j2.RunAt.Equal(t0) {
		t.Fatalf("Claim() after Release = %+v, want RunAt %v attempt 0", j2, t0)
	}
}

func testNextDue(t *testing.T, s *store.Store) {
	ctx := t.Context()
	check := func(wantAt time.Time, wantOK bool) {
		t.Helper()
		at, ok, err := s.NextDue(ctx)
		if err != nil || ok != wantOK || !at.Equal(wantAt) {
			t.Fatalf("NextDue() = %v, %v, %v; want %v, %v, nil", at, ok, err, wantAt, wantOK)
		}
	}
	check(time.Time{}, false)
	mustEnqueue(t, s, key(1), t0.Add(time.Hour))
	mustEnqueue(t, s, key(2), t0.Add(time.Minute))
	check(t0.Add(time.Minute), true)
	mustClaim(t, s, t0.Add(time.Minute), 30*time.Minute)
	check(t0.Add(31*time.Minute), true) // the claimed job's lease end comes first
}

func testConcurrentClaims(t *testing.T, s *store.Store) {
	const jobs, workers = 40, 8
	for i := 1; i <= jobs; i++ {
		mustEnqueue(t, s, key(i), t0)
	}
	ctx := t.Context()
	var mu sync.Mutex
	claims := map[int]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for {
				j, err := s.Claim(ctx, fmt.Sprint("w", w), t0, time.Hour)
				if err != nil {
					errs <- err
					return
				}
				if j == nil {
					return
				}
				mu.Lock()
				claims[j.Key.Number]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Claim() = %v", err)
	}
	if len(claims) != jobs {
		t.Errorf("claimed %d distinct jobs, want %d", len(claims), jobs)
	}
	for n, c := range claims {
		if c != 1 {
			t.Errorf("job %d claimed %d times, want 1", n, c)
		}
	}
}

func testExecutions(t *testing.T, s *store.Store) {
	ctx := t.Context()
	e := store.Execution{Key: key(7), Gate: "prod", HeadSHA: "abc", Kind: "merge", Created: t0}
	got, created, err := s.BeginExecution(ctx, e)
	if err != nil || !created {
		t.Fatalf("BeginExecution() = %v, %v; want created", created, err)
	}
	if got.ID == "" || got.Status != store.ExecIntent || !got.Updated.Equal(t0) {
		t.Errorf("BeginExecution() = %+v, want an id, status intent, updated %v", got, t0)
	}
	again, created, err := s.BeginExecution(ctx, store.Execution{Key: key(7), Gate: "prod", HeadSHA: "abc", Kind: "merge", Created: t0.Add(time.Hour)})
	if err != nil || created {
		t.Fatalf("second BeginExecution() = %v, %v; want not created", created, err)
	}
	if diff := cmp.Diff(again, got); diff != "" {
		t.Errorf("second BeginExecution() mismatch (-got +want):\n%s", diff)
	}
	other, created, err := s.BeginExecution(ctx, store.Execution{Key: key(7), Gate: "prod", HeadSHA: "def", Kind: "dispatch", ID: "given-id", Created: t0.Add(time.Second)})
	if err != nil || !created || other.ID != "given-id" {
		t.Fatalf("BeginExecution(new head) = %+v, %v, %v; want created with id given-id", other, created, err)
	}
	if err := s.FinishExecution(ctx, got.ID, store.ExecDone, "merged as 123", t0.Add(time.Minute)); err != nil {
		t.Fatalf("FinishExecution() = %v", err)
	}
	if err := s.FinishExecution(ctx, "nope", store.ExecDone, "", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishExecution(unknown id) = %v, want ErrNotFound", err)
	}
	if err := s.FinishExecution(ctx, got.ID, "bogus", "", t0); err == nil {
		t.Errorf("FinishExecution(bogus status) = nil, want an error")
	}
	if _, _, err := s.BeginExecution(ctx, store.Execution{Key: key(7), Gate: "prod"}); err == nil {
		t.Errorf("BeginExecution(no head SHA) = nil error, want an error")
	}
	done := got
	done.Status, done.Detail, done.Updated = store.ExecDone, "merged as 123", t0.Add(time.Minute)
	byID, err := s.Execution(ctx, got.ID)
	if err != nil {
		t.Fatalf("Execution(id) = %v", err)
	}
	if diff := cmp.Diff(byID, done); diff != "" {
		t.Errorf("Execution(id) mismatch (-got +want):\n%s", diff)
	}
	if _, err := s.Execution(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Execution(unknown) = %v, want ErrNotFound", err)
	}
	for _, tc := range []struct {
		status store.ExecutionStatus
		want   []store.Execution
	}{
		{"", []store.Execution{done, other}},
		{store.ExecDone, []store.Execution{done}},
		{store.ExecIntent, []store.Execution{other}},
		{store.ExecUnknown, nil},
	} {
		list, err := s.Executions(ctx, tc.status)
		if err != nil {
			t.Fatalf("Executions(%q) = %v", tc.status, err)
		}
		if diff := cmp.Diff(list, tc.want); diff != "" {
			t.Errorf("Executions(%q) mismatch (-got +want):\n%s", tc.status, diff)
		}
	}
}

func testConcurrentBeginExecution(t *testing.T, s *store.Store) {
	const n = 16
	ctx := t.Context()
	var wg sync.WaitGroup
	results := make([]store.Execution, n)
	createdBy := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			results[i], createdBy[i], errs[i] = s.BeginExecution(ctx,
				store.Execution{Key: key(1), Gate: "prod", HeadSHA: "abc", Kind: "dispatch", Created: t0})
		})
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("BeginExecution() #%d = %v", i, errs[i])
		}
		if createdBy[i] {
			created++
		}
		if results[i].ID != results[0].ID {
			t.Errorf("BeginExecution() #%d id = %q, want %q", i, results[i].ID, results[0].ID)
		}
	}
	if created != 1 {
		t.Errorf("%d BeginExecution calls created, want exactly 1", created)
	}
}

func testCheckFingerprints(t *testing.T, s *store.Store) {
	ctx := t.Context()
	if _, _, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CheckFingerprint(missing) = %v, want ErrNotFound", err)
	}
	for _, step := range []struct {
		id int64
		fp string
	}{{11, "fp1"}, {11, "fp2"}, {12, "fp3"}} {
		if err := s.SetCheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod", step.id, step.fp); err != nil {
			t.Fatalf("SetCheckFingerprint() = %v", err)
		}
		id, fp, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/prod")
		if err != nil || id != step.id || fp != step.fp {
			t.Errorf("CheckFingerprint() = %d, %q, %v; want %d, %q, nil", id, fp, err, step.id, step.fp)
		}
	}
	if _, _, err := s.CheckFingerprint(ctx, "acme", "payments", "abc", "zgate/other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CheckFingerprint(other check) = %v, want ErrNotFound", err)
	}
}

// link builds the next record the way a minimal audit log would.
func link(last *store.AuditRecord, at time.Time, data string) store.AuditRecord {
	r := store.AuditRecord{Seq: 1, Time: at, Kind: "decision", Repo: "acme/payments", PR: 7,
		Gate: "prod", HeadSHA: "abc", Data: []byte(data), PrevHash: "genesis"}
	if last != nil {
		r.Seq, r.PrevHash = last.Seq+1, last.Hash
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%d|%s|%s", r.Seq, r.PrevHash, r.Data))
	r.Hash = hex.EncodeToString(sum[:])
	return r
}

func testAuditAppend(t *testing.T, s *store.Store) {
	ctx := t.Context()
	var want []store.AuditRecord
	for i := range 5 {
		var sawLast *store.AuditRecord
		rec, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
			sawLast = last
			return link(last, t0.Add(time.Duration(i)*time.Second), fmt.Sprintf(`{"i":%d}`, i)), nil
		})
		if err != nil {
			t.Fatalf("AppendAudit() #%d = %v", i, err)
		}
		if i == 0 && sawLast != nil {
			t.Errorf("first AppendAudit build saw last %+v, want nil", sawLast)
		}
		if i > 0 && (sawLast == nil || cmp.Diff(*sawLast, want[i-1]) != "") {
			t.Errorf("AppendAudit #%d build saw last %+v, want %+v", i, sawLast, want[i-1])
		}
		want = append(want, rec)
	}
	for _, tc := range []struct {
		name         string
		after, limit int
		want         []store.AuditRecord
	}{
		{"all", 0, 100, want},
		{"first page", 0, 2, want[:2]},
		{"middle page", 2, 2, want[2:4]},
		{"past the end", 5, 10, nil},
	} {
		got, err := s.AuditRecords(ctx, int64(tc.after), tc.limit)
		if err != nil {
			t.Fatalf("%s: AuditRecords() = %v", tc.name, err)
		}
		if diff := cmp.Diff(got, tc.want); diff != "" {
			t.Errorf("%s: AuditRecords() mismatch (-got +want):\n%s", tc.name, diff)
		}
	}
	if _, err := s.AuditRecords(ctx, 0, 0); err == nil {
		t.Errorf("AuditRecords(limit 0) = nil error, want an error")
	}
}

func testAuditRejects(t *testing.T, s *store.Store) {
	ctx := t.Context()
	if _, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
		return link(last, t0, "{}"), nil
	}); err != nil {
		t.Fatalf("AppendAudit() = %v", err)
	}
	boom := errors.New("boom")
	for _, tc := range []struct {
		name   string
		mangle func(r store.AuditRecord) (store.AuditRecord, error)
	}{
		{"seq gap", func(r store.AuditRecord) (store.AuditRecord, error) { r.Seq++; return r, nil }},
		{"seq repeat", func(r store.AuditRecord) (store.AuditRecord, error) { r.Seq--; return r, nil }},
		{"wrong prev hash", func(r store.AuditRecord) (store.AuditRecord, error) { r.PrevHash = "x"; return r, nil }},
		{"no hash", func(r store.AuditRecord) (store.AuditRecord, error) { r.Hash = ""; return r, nil }},
		{"sub-microsecond time", func(r store.AuditRecord) (store.AuditRecord, error) { r.Time = r.Time.Add(1); return r, nil }},
		{"build error", func(r store.AuditRecord) (store.AuditRecord, error) { return r, boom }},
	} {
		_, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
			return tc.mangle(link(last, t0, "{}"))
		})
		if err == nil {
			t.Errorf("%s: AppendAudit() = nil error, want an error", tc.name)
		}
	}
	got, err := s.AuditRecords(ctx, 0, 10)
	if err != nil || len(got) != 1 {
		t.Errorf("AuditRecords() = %d records, %v; want 1 record", len(got), err)
	}
}

func testAuditConcurrent(t *testing.T, s *store.Store) {
	const workers, each = 8, 15
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				_, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
					return link(last, t0, fmt.Sprintf(`{"w":%d,"i":%d}`, w, i)), nil
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("AppendAudit() = %v", err)
	}
	recs, err := s.AuditRecords(ctx, 0, 10*workers*each)
	if err != nil {
		t.Fatalf("AuditRecords() = %v", err)
	}
	if len(recs) != workers*each {
		t.Fatalf("AuditRecords() = %d records, want %d", len(recs), workers*each)
	}
	prev := "genesis"
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.PrevHash != prev {
			t.Fatalf("record %d: seq %d prev %q, want seq %d prev %q (chain forked or has a gap)", i, r.Seq, r.PrevHash, i+1, prev)
		}
		prev = r.Hash
	}
}
