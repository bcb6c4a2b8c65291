package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// testDeliverySeen: recorded delivery ids are found until pruned.
func testDeliverySeen(t *testing.T, s *store.Store) {
	ctx := t.Context()
	if _, err := s.RecordDelivery(ctx, "guid-1", "pull_request", t0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id   string
		want bool
	}{{"guid-1", true}, {"guid-2", false}} {
		if got, err := s.DeliverySeen(ctx, tc.id); err != nil || got != tc.want {
			t.Errorf("DeliverySeen(%q) = %v, %v; want %v, nil", tc.id, got, err, tc.want)
		}
	}
	if _, err := s.PruneDeliveries(ctx, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DeliverySeen(ctx, "guid-1"); err != nil || got {
		t.Errorf("DeliverySeen(guid-1) after prune = %v, %v; want false, nil", got, err)
	}
}

// testPruneCheckFingerprints: fingerprints not written since the cut-off
// are removed, fresher ones kept. Fingerprints are stamped with the wall
// clock, so the cut-offs are taken from it too.
func testPruneCheckFingerprints(t *testing.T, s *store.Store) {
	ctx := t.Context()
	if err := s.SetCheckFingerprint(ctx, "o", "r", "old", "zgate/x", 1, "fp1"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PruneCheckFingerprints(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("PruneCheckFingerprints(an hour ago) = %d, %v; want 0, nil", n, err)
	}
	if n, err := s.PruneCheckFingerprints(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("PruneCheckFingerprints(in a minute) = %d, %v; want 1, nil", n, err)
	}
	if _, _, err := s.CheckFingerprint(ctx, "o", "r", "old", "zgate/x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CheckFingerprint after prune: err = %v, want ErrNotFound", err)
	}
}

// testPruneFailingJobs: an unclaimed job that failed the given number of
// times in a row goes; one failing less often, or claimed, stays.
func testPruneFailingJobs(t *testing.T, s *store.Store) {
	ctx := t.Context()
	fail := func(k store.PRKey, times int, at time.Time) {
		t.Helper()
		for i := range times {
			j := mustClaim(t, s, at.Add(time.Duration(i)*time.Minute), time.Minute)
			if j == nil || j.Key != k {
				t.Fatalf("Claim() = %+v, want %v", j, k)
			}
			if err := s.Retry(ctx, j, at.Add(time.Duration(i+1)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustEnqueue(t, s, key(1), t0)
	mustEnqueue(t, s, key(2), t0.Add(time.Hour))
	fail(key(1), 3, t0)
	if _, err := s.PruneFailingJobs(ctx, 0); err == nil {
		t.Errorf("PruneFailingJobs(0) = nil error, want an error")
	}
	if n, err := s.PruneFailingJobs(ctx, 3); err != nil || n != 1 {
		t.Fatalf("PruneFailingJobs(3) = %d, %v; want 1, nil", n, err)
	}
	fail(key(2), 2, t0.Add(time.Hour))
	if n, err := s.PruneFailingJobs(ctx, 3); err != nil || n != 0 {
		t.Fatalf("PruneFailingJobs(3) with a job failed twice = %d, %v; want 0, nil", n, err)
	}
	j := mustClaim(t, s, t0.Add(24*time.Hour), time.Minute)
	if j == nil || j.Key != key(2) {
		t.Fatalf("Claim() after pruning = %+v, want only %v left", j, key(2))
	}
	// A claimed job is never pruned under its worker.
	if n, err := s.PruneFailingJobs(ctx, 1); err != nil || n != 0 {
		t.Errorf("PruneFailingJobs(1) with the job claimed = %d, %v; want 0, nil", n, err)
	}
}
