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
