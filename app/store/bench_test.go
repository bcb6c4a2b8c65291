package store_test

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// benchStores opens each engine for a benchmark: SQLite in memory and on
// disk, and PostgreSQL when ZGATE_TEST_POSTGRES is set.
func benchStores(b *testing.B, f func(b *testing.B, s *store.Store)) {
	b.Run("sqlite-memory", func(b *testing.B) { f(b, benchOpen(b, "sqlite::memory:")) })
	b.Run("sqlite-file", func(b *testing.B) { f(b, benchOpen(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))) })
	b.Run("postgres", func(b *testing.B) {
		s := openPostgres(b)
		b.Cleanup(func() { s.Close() })
		f(b, s)
	})
}

func benchOpen(b *testing.B, dsn string) *store.Store {
	s, err := store.Open(b.Context(), dsn)
	if err != nil {
		b.Fatalf("Open(%q) = %v", dsn, err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkEnqueueClaimComplete measures one job's trip through the queue,
// over 100 PRs so the table holds more than one row.
func BenchmarkEnqueueClaimComplete(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		i := 0
		for b.Loop() {
			i++
			key := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 1 + i%100}
			if err := s.Enqueue(ctx, key, now); err != nil {
				b.Fatal(err)
			}
			j, err := s.Claim(ctx, "bench", now, time.Minute)
			if err != nil || j == nil {
				b.Fatalf("Claim() = %v, %v", j, err)
			}
			if err := s.Complete(ctx, j); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAppendAudit measures appending to the audit chain (with a
// trivial hash; package audit benchmarks the real one).
func BenchmarkAppendAudit(b *testing.B) {
	benchStores(b, func(b *testing.B, s *store.Store) {
		ctx := b.Context()
		now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		data := []byte(`{"state":"success","approvals":["alice","bob"]}`)
		for b.Loop() {
			_, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
				r := store.AuditRecord{Seq: 1, Time: now, Kind: "decision", Repo: "acme/payments", PR: 7,
					Gate: "prod", HeadSHA: "abc", Data: data, PrevHash: "0", Hash: "h1"}
				if last != nil {
					r.Seq, r.PrevHash = last.Seq+1, last.Hash
					r.Hash = "h" + strconv.FormatInt(r.Seq, 10)
				}
				return r, nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
