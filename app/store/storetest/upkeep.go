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
