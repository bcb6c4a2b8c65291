package queue_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/queue"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

// BenchmarkEvents runs review events through a Runner with 4 workers:
// intake, claim, a handler that reads the pushers and the check run's
// fingerprint and writes a new fingerprint, a decision record and a
// 24-hour timer, then the settlement. "direct" writes each as it goes
// (as before the store path was batched), "staged" stages them for the
// settlement. commits/op is the stable number; ns/op is per event and
// moves with the machine's load.
func BenchmarkEvents(b *testing.B) {
	stores := map[string]func(b *testing.B) *store.Store{
		"sqlite-file": func(b *testing.B) *store.Store {
			return benchOpen(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
		},
		"postgres": func(b *testing.B) *store.Store {
			if os.Getenv("ZGATE_TEST_POSTGRES") == "" {
				b.Skip(storetest.SkipPostgres)
			}
			return benchOpen(b, storetest.PostgresDSN(b, os.Getenv("ZGATE_TEST_POSTGRES")))
		},
	}
	for _, name := range []string{"sqlite-file", "postgres"} {
		for _, staged := range []bool{false, true} {
			mode := "direct"
			if staged {
				mode = "staged"
			}
			b.Run(name+"/"+mode, func(b *testing.B) { runEvents(b, stores[name](b), staged) })
		}
	}
}

func benchOpen(b *testing.B, dsn string) *store.Store {
	s, err := store.Open(b.Context(), dsn)
	if err != nil {
		b.Fatalf("store.Open() = %v", err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// fingerprints is what the handler needs of a fingerprint store (the
// store itself, or a Finish).
type fingerprints interface {
	CheckFingerprint(ctx context.Context, owner, repo, sha, check string) (int64, string, error)
	SetCheckFingerprint(ctx context.Context, owner, repo, sha, check string, runID int64, fingerprint string) error
}

func runEvents(b *testing.B, s *store.Store, staged bool) {
	var done, seq atomic.Int64
	evaluate := func(ctx context.Context, k store.PRKey, fs fingerprints, audit func(store.AuditBuilder) error) (time.Time, error) {
		sha := "sha" + strconv.Itoa(k.Number)
		if _, err := s.Pushes(ctx, 1, k.Number, sha); err != nil {
			return time.Time{}, err
		}
		_, _, _ = fs.CheckFingerprint(ctx, k.Owner, k.Repo, sha, "zgate/prod")
		if err := fs.SetCheckFingerprint(ctx, k.Owner, k.Repo, sha, "zgate/prod", 1, strconv.FormatInt(seq.Add(1), 10)); err != nil {
			return time.Time{}, err
		}
		if err := audit(benchRecord); err != nil {
			return time.Time{}, err
		}
		done.Add(1)
		return time.Now().Add(24 * time.Hour), nil
	}
	o := queue.Options{Workers: 4, Lease: time.Minute, Poll: time.Second}
	var r *queue.Runner
	if staged {
		r = queue.NewStaging(s, func(ctx context.Context, k store.PRKey, fin *store.Finish) (time.Time, error) {
			return evaluate(ctx, k, fin, func(build store.AuditBuilder) error { fin.AppendAudit(build); return nil })
		}, o)
	} else {
		r = queue.New(s, func(ctx context.Context, k store.PRKey) (time.Time, error) {
			return evaluate(ctx, k, s, func(build store.AuditBuilder) error { _, err := s.AppendAudit(ctx, build); return err })
		}, o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- r.Run(ctx) }()
	defer func() {
		cancel()
		<-stopped
	}()
	before := s.Commits()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// 100 open pull requests, one event each in turn.
		k := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 1 + i%100}
		in := store.Intake{Delivery: fmt.Sprintf("d%d-%d", time.Now().UnixNano(), i), Event: "pull_request_review", Received: time.Now(), Jobs: []store.PRKey{k}}
		if staged {
			if _, err := r.Intake(b.Context(), in); err != nil {
				b.Fatal(err)
			}
		} else {
			if err := r.Enqueue(b.Context(), k, in.Received); err != nil {
				b.Fatal(err)
			}
			if _, err := s.RecordDelivery(b.Context(), in.Delivery, in.Event, in.Received); err != nil {
				b.Fatal(err)
			}
		}
		// Wait for the run, as an event on an idle App would.
		for done.Load() <= int64(i) {
			time.Sleep(20 * time.Microsecond)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(s.Commits()-before)/float64(b.N), "commits/op")
}

func benchRecord(last *store.AuditRecord) (store.AuditRecord, error) {
	r := store.AuditRecord{Seq: 1, Time: time.Unix(100, 0).UTC(), Kind: "decision", Data: []byte(`{"state":"pending"}`), PrevHash: "0", Hash: "h1"}
	if last != nil {
		r.Seq, r.PrevHash, r.Hash = last.Seq+1, last.Hash, "h"+strconv.FormatInt(last.Seq+1, 10)
	}
	return r, nil
}
