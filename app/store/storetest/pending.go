package storetest

import (
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// testGatePending: the first pending evaluation of a (PR, head, gate) is
// kept whatever order sightings come in; its quorum is recorded once,
// returning that first time; other heads and gates are separate; pruning
// drops rows by their first pending time.
func testGatePending(t *testing.T, s *store.Store) {
	ctx := t.Context()
	g := store.GateHead{Owner: "acme", Repo: "payments", Number: 7, HeadSHA: "ABC123", Gate: "production"}
	if _, ok, err := s.GateQuorum(ctx, g, t0); err != nil || ok {
		t.Fatalf("GateQuorum before any pending = _, %v, %v; want false, nil", ok, err)
	}
	for _, at := range []time.Time{t0.Add(time.Minute), t0, t0.Add(time.Hour)} {
		if err := s.GatePending(ctx, g, at); err != nil {
			t.Fatalf("GatePending(%v) = %v", at, err)
		}
	}
	other := g
	other.HeadSHA = "def456"
	if err := s.GatePending(ctx, other, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	lower := g
	lower.HeadSHA = "abc123" // SHAs compare case-insensitively
	first, ok, err := s.GateQuorum(ctx, lower, t0.Add(3*time.Hour))
	if err != nil || !ok || !first.Equal(t0) {
		t.Fatalf("GateQuorum = %v, %v, %v; want %v, true, nil", first, ok, err, t0)
	}
	if _, ok, err := s.GateQuorum(ctx, g, t0.Add(4*time.Hour)); err != nil || ok {
		t.Errorf("second GateQuorum = _, %v, %v; want false, nil (observed once)", ok, err)
	}
	otherGate := g
	otherGate.Gate = "staging"
	if _, ok, err := s.GateQuorum(ctx, otherGate, t0); err != nil || ok {
		t.Errorf("GateQuorum of a gate never pending = _, %v, %v; want false, nil", ok, err)
	}
	n, err := s.PruneGatePending(ctx, t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneGatePending = %d, %v; want 1, nil", n, err)
	}
	first, ok, err = s.GateQuorum(ctx, other, t0.Add(5*time.Hour))
	if err != nil || !ok || !first.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("GateQuorum(other head) after prune = %v, %v, %v; want %v, true, nil", first, ok, err, t0.Add(2*time.Hour))
	}
}

// testOldestDueJob: the oldest due job is an unclaimed job due at or
// before now, or a claimed one whose lease ran out; future jobs and live
// leases do not count.
func testOldestDueJob(t *testing.T, s *store.Store) {
	ctx := t.Context()
	check := func(now, want time.Time, wantOK bool) {
		t.Helper()
		got, ok, err := s.OldestDueJob(ctx, now)
		if err != nil || ok != wantOK || !got.Equal(want) {
			t.Fatalf("OldestDueJob(%v) = %v, %v, %v; want %v, %v, nil", now, got, ok, err, want, wantOK)
		}
	}
	check(t0, time.Time{}, false)
	mustEnqueue(t, s, key(1), t0.Add(time.Hour))
	check(t0, time.Time{}, false) // not due yet
	mustEnqueue(t, s, key(2), t0.Add(-time.Minute))
	check(t0, t0.Add(-time.Minute), true)
	mustClaim(t, s, t0, 10*time.Minute) // claims key(2), the only due job
	check(t0, time.Time{}, false)
	check(t0.Add(20*time.Minute), t0.Add(10*time.Minute), true) // its lease ran out
	check(t0.Add(2*time.Hour), t0.Add(10*time.Minute), true)    // the lease end is older than key(1)'s due time
}
