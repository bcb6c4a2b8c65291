package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// eventPath is the store traffic of one review event for PR n: intake,
// claim, the evaluation's reads and writes, the settlement.
type eventPath func(ctx context.Context, s *store.Store, n int, delivery string, now time.Time) error

// separatePath is the store path before batching: every write in a
// transaction of its own (8 commits with the timer).
func separatePath(ctx context.Context, s *store.Store, n int, delivery string, now time.Time) error {
	key := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: n}
	if err := s.Enqueue(ctx, key, now); err != nil {
		return err
	}
	if _, err := s.RecordDelivery(ctx, delivery, "pull_request_review", now); err != nil {
		return err
	}
	j, err := claimKey(ctx, s, now)
	if err != nil {
		return err
	}
	sha := "sha" + strconv.Itoa(n)
	if _, err := s.Pushes(ctx, 1, n, sha); err != nil {
		return err
	}
	if _, _, err := s.CheckFingerprint(ctx, "acme", "payments", sha, "zgate/prod"); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := s.SetCheckFingerprint(ctx, "acme", "payments", sha, "zgate/prod", int64(n), delivery); err != nil {
		return err
	}
	if _, err := s.AppendAudit(ctx, benchRecord(now)); err != nil {
		return err
	}
	if err := s.Enqueue(ctx, j.Key, now.Add(24*time.Hour)); err != nil {
		return err
	}
	return s.Complete(ctx, j)
}

// batchedPath is the store path now: intake, claim, one finish.
func batchedPath(ctx context.Context, s *store.Store, n int, delivery string, now time.Time) error {
	key := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: n}
	if _, err := s.Intake(ctx, store.Intake{Delivery: delivery, Event: "pull_request_review", Received: now, Jobs: []store.PRKey{key}}); err != nil {
		return err
	}
	j, err := claimKey(ctx, s, now)
	if err != nil {
		return err
	}
	sha := "sha" + strconv.Itoa(n)
	if _, err := s.Pushes(ctx, 1, n, sha); err != nil {
		return err
	}
	fin := s.NewFinish()
	if _, _, err := fin.CheckFingerprint(ctx, "acme", "payments", sha, "zgate/prod"); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := fin.SetCheckFingerprint(ctx, "acme", "payments", sha, "zgate/prod", int64(n), delivery); err != nil {
		return err
	}
	fin.AppendAudit(benchRecord(now))
	if err := fin.Enqueue(j.Key, now.Add(24*time.Hour)); err != nil {
		return err
	}
	return s.Settle(ctx, j, store.Settlement{}, fin)
}

// claimKey claims a due job; with several goroutines another may hold
// the one just enqueued, so it claims whatever is due.
func claimKey(ctx context.Context, s *store.Store, now time.Time) (*store.Job, error) {
	for range 1000 {
		j, err := s.Claim(ctx, "bench", now, time.Minute)
		if err != nil || j != nil {
			return j, err
		}
	}
	return nil, errors.New("no job to claim")
}

func benchRecord(now time.Time) store.AuditBuilder {
	data := []byte(`{"state":"pending","summary":"1 of 2 controls hold"}`)
	return func(last *store.AuditRecord) (store.AuditRecord, error) {
		r := store.AuditRecord{Seq: 1, Time: now, Kind: "decision", Repo: "acme/payments", PR: 7,
			Gate: "prod", HeadSHA: "abc", Data: data, PrevHash: "0", Hash: "h1"}
		if last != nil {
			r.Seq, r.PrevHash = last.Seq+1, last.Hash
			r.Hash = "h" + strconv.FormatInt(r.Seq, 10)
		}
		return r, nil
	}
}

// BenchmarkEvent measures the store's part of one review event that
// changes a check run (intake, claim, fingerprint, decision record,
// 24-hour timer, completion), the old way (separate) and batched, on
// each engine, from one goroutine and from 4 (the default workers), and
// batched with lazy commits (durability.go).
// commits/op is the stable number; ns/op moves with the machine's load.
func BenchmarkEvent(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store) {
		for _, p := range []struct {
			name string
			f    eventPath
		}{{"separate", separatePath}, {"batched", batchedPath}} {
			b.Run(p.name, func(b *testing.B) { runEvents(b, s, p.f, 1) })
			b.Run(p.name+"-x4", func(b *testing.B) { runEvents(b, s, p.f, 4) })
		}
		// As zgate serve runs it (a sweep at start): lazy commits.
		s.CommitLazily(true)
		b.Run("batched-lazy", func(b *testing.B) { runEvents(b, s, batchedPath, 1) })
		b.Run("batched-lazy-x4", func(b *testing.B) { runEvents(b, s, batchedPath, 4) })
		s.CommitLazily(false)
	})
}

var deliveries atomic.Int64

func runEvents(b *testing.B, s *store.Store, f eventPath, workers int) {
	ctx := b.Context()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	before := s.Commits()
	var prs atomic.Int64
	b.SetParallelism(workers)
	b.ResetTimer()
	if workers == 1 {
		for i := 0; b.Loop(); i++ {
			if err := f(ctx, s, 1+i%100, fmt.Sprint("d", deliveries.Add(1)), now); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n := int(prs.Add(1))
				if err := f(ctx, s, 1+n%100, fmt.Sprint("d", deliveries.Add(1)), now); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.ReportMetric(float64(s.Commits()-before)/float64(b.N), "commits/op")
}
