package upkeep

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// TestPrune: delivery ids and check fingerprints past their retention go,
// newer ones stay; a job that keeps failing goes.
func TestPrune(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	if _, err := st.RecordDelivery(ctx, "old", "push", now.Add(-8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDelivery(ctx, "new", "push", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.SetCheckFingerprint(ctx, "o", "r", "sha", "zgate/x", 1, "fp"); err != nil {
		t.Fatal(err)
	}
	k := store.PRKey{Installation: 1, Owner: "o", Repo: "gone", Number: 1}
	if err := st.Enqueue(ctx, k, now); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		j, err := st.Claim(ctx, "w", now.Add(time.Duration(i)*time.Hour), time.Minute)
		if err != nil || j == nil {
			t.Fatalf("Claim() = %v, %v", j, err)
		}
		if err := st.Retry(ctx, j, now.Add(time.Duration(i+1)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	p := &Pruner{Store: st, DeliveryRetention: 7 * 24 * time.Hour, CheckRetention: 30 * 24 * time.Hour,
		JobMaxAttempts: 3, Now: time.Now, Logger: slog.New(slog.DiscardHandler)}
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"old": false, "new": true} {
		if got, err := st.DeliverySeen(ctx, id); err != nil || got != want {
			t.Errorf("DeliverySeen(%s) after pruning = %v, %v; want %v", id, got, err, want)
		}
	}
	if _, _, err := st.CheckFingerprint(ctx, "o", "r", "sha", "zgate/x"); err != nil {
		t.Errorf("a fresh fingerprint was pruned: %v", err)
	}
	if n, err := st.PendingJobs(ctx); err != nil || n != 0 {
		t.Errorf("jobs left after pruning = %d, %v; want the job that failed 3 times gone", n, err)
	}
	// 31 days on, the fingerprint (never rewritten) goes too.
	p.Now = func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CheckFingerprint(ctx, "o", "r", "sha", "zgate/x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("fingerprint 31 days old: err = %v, want pruned", err)
	}
}
