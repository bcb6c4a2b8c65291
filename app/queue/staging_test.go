package queue_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/queue"
	"github.com/zgate-dev/zgate/app/store"
)

// record is a one-record audit builder for the tests.
func record(last *store.AuditRecord) (store.AuditRecord, error) {
	r := store.AuditRecord{Seq: 1, Time: time.Unix(100, 0).UTC(), Kind: "decision", PrevHash: "0", Hash: "h1"}
	if last != nil {
		r.Seq, r.PrevHash, r.Hash = last.Seq+1, last.Hash, last.Hash+"+"
	}
	return r, nil
}

// TestStagedWritesCommitWithTheSettlement: a job's claim and its
// settlement, holding the handler's fingerprint, audit record and timer,
// are the only two transactions after intake.
func TestStagedWritesCommitWithTheSettlement(t *testing.T) {
	s, c := openStore(t), newClock()
	var runs atomic.Int32
	r := queue.NewStaging(s, func(ctx context.Context, k store.PRKey, fin *store.Finish) (time.Time, error) {
		if runs.Add(1) > 1 {
			return time.Time{}, nil
		}
		if err := fin.SetCheckFingerprint(ctx, k.Owner, k.Repo, "abc", "zgate/prod", 7, "fp"); err != nil {
			return time.Time{}, err
		}
		fin.AppendAudit(record)
		return c.Now().Add(time.Hour), nil
	}, opts(c))
	before := s.Commits()
	if _, err := r.Intake(t.Context(), store.Intake{Delivery: "d1", Event: "pull_request_review", Received: c.Now(), Jobs: []store.PRKey{pr(1)}}); err != nil {
		t.Fatal(err)
	}
	start(t, r)
	eventually(t, "the timer to be pending", func() bool {
		at, ok, err := s.NextDue(t.Context())
		return err == nil && ok && at.Equal(c.Now().Add(time.Hour))
	})
	// The counter moves just after the commit is visible.
	eventually(t, "the settlement to be counted", func() bool { return s.Commits()-before >= 3 })
	if got := s.Commits() - before; got != 3 {
		t.Errorf("commits for intake and one run = %d, want 3 (intake, claim, settlement)", got)
	}
	if _, fp, err := s.CheckFingerprint(t.Context(), "acme", "payments", "abc", "zgate/prod"); err != nil || fp != "fp" {
		t.Errorf("CheckFingerprint() = %q, %v; want fp", fp, err)
	}
	if _, err := s.LastAudit(t.Context()); err != nil {
		t.Errorf("LastAudit() = %v, want the staged record", err)
	}
	c.Advance(time.Hour)
	r.Wake()
	eventually(t, "the timer's run", func() bool { return runs.Load() == 2 })
	eventually(t, "the queue to empty", idle(t, s))
}

// TestStagedWritesOfAFailedRunAreKept: a handler that wrote a check run
// and then failed has its writes committed with the retry.
func TestStagedWritesOfAFailedRunAreKept(t *testing.T) {
	s, c := openStore(t), newClock()
	r := queue.NewStaging(s, func(ctx context.Context, k store.PRKey, fin *store.Finish) (time.Time, error) {
		if err := fin.SetCheckFingerprint(ctx, k.Owner, k.Repo, "abc", "zgate/prod", 7, "fp"); err != nil {
			return time.Time{}, err
		}
		fin.AppendAudit(record)
		return time.Time{}, errors.New("GitHub is down")
	}, opts(c))
	if err := r.Enqueue(t.Context(), pr(1), c.Now()); err != nil {
		t.Fatal(err)
	}
	start(t, r)
	eventually(t, "the fingerprint", func() bool {
		_, fp, err := s.CheckFingerprint(t.Context(), "acme", "payments", "abc", "zgate/prod")
		return err == nil && fp == "fp"
	})
	if _, err := s.LastAudit(t.Context()); err != nil {
		t.Errorf("LastAudit() = %v, want the staged record", err)
	}
	if n, err := s.PendingJobs(t.Context()); err != nil || n != 1 {
		t.Errorf("PendingJobs() = %d, %v; want the job back for its retry", n, err)
	}
}

// TestStagedJobsWakeWorkers: jobs a handler stages (a repository expanded
// to its pull requests) wake idle workers once committed, instead of
// waiting for the next poll or for the one busy worker.
func TestStagedJobsWakeWorkers(t *testing.T) {
	s, c := openStore(t), newClock()
	o := opts(c)
	o.Poll = time.Hour
	var started, together atomic.Int32
	r := queue.NewStaging(s, func(ctx context.Context, k store.PRKey, fin *store.Finish) (time.Time, error) {
		if k.Number == 1 {
			return time.Time{}, errors.Join(fin.Enqueue(pr(2), c.Now()), fin.Enqueue(pr(3), c.Now()))
		}
		started.Add(1)
		// Wait for the other staged job to start in another worker.
		deadline := time.Now().Add(3 * time.Second)
		for started.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if started.Load() == 2 {
			together.Add(1)
		}
		return time.Time{}, nil
	}, o)
	start(t, r)
	time.Sleep(50 * time.Millisecond) // the workers look once and sleep for an hour
	if err := r.Enqueue(t.Context(), pr(1), c.Now()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the queue to empty", idle(t, s))
	if together.Load() != 2 {
		t.Errorf("staged jobs run together = %d, want 2: idle workers were not woken", together.Load())
	}
}
