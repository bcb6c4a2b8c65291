package store_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

// webStores are the stores the details page's queries are checked on.
func webStores(t *testing.T) map[string]func(t *testing.T) *store.Store {
	m := map[string]func(t *testing.T) *store.Store{
		"sqlite": func(t *testing.T) *store.Store {
			s := openSQLite(t, "sqlite::memory:")
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	if os.Getenv("ZGATE_TEST_POSTGRES") != "" {
		m["postgres"] = func(t *testing.T) *store.Store { s := openPostgres(t); t.Cleanup(func() { s.Close() }); return s }
	} else {
		t.Log(storetest.SkipPostgres)
	}
	return m
}

func TestWebSessions(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for name, open := range webStores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			a := store.WebSession{IDHash: "a", Login: "alice", Token: []byte("sealed-a"), Created: t0, Expires: t0.Add(time.Hour)}
			if err := s.CreateWebSession(ctx, a); err != nil {
				t.Fatal(err)
			}
			got, err := s.WebSession(ctx, "a", t0.Add(59*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(a, got); diff != "" {
				t.Errorf("WebSession (-want +got):\n%s", diff)
			}
			if _, err := s.WebSession(ctx, "a", t0.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("WebSession at expiry = %v, want ErrNotFound", err)
			}
			if _, err := s.WebSession(ctx, "nope", t0); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("WebSession(unknown) = %v, want ErrNotFound", err)
			}
			// Creating a session later prunes the expired one.
			b := store.WebSession{IDHash: "b", Login: "bob", Token: []byte("sealed-b"), Created: t0.Add(2 * time.Hour), Expires: t0.Add(3 * time.Hour)}
			if err := s.CreateWebSession(ctx, b); err != nil {
				t.Fatal(err)
			}
			if _, err := s.WebSession(ctx, "a", t0); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired session a not pruned: %v", err)
			}
			if err := s.DeleteWebSession(ctx, "b"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.WebSession(ctx, "b", t0.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted session b = %v, want ErrNotFound", err)
			}
			if err := s.CreateWebSession(ctx, store.WebSession{IDHash: "c", Token: []byte("x"), Created: t0, Expires: t0}); err == nil {
				t.Error("CreateWebSession accepted a session expiring when created")
			}
		})
	}
}

func TestPRAuditRecordsAndExecutions(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for name, open := range webStores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			for i, pr := range []int{7, 8, 7, 7, 8} {
				_, err := s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
					r := store.AuditRecord{Seq: 1, Time: t0.Add(time.Duration(i) * time.Minute), Kind: "decision", Repo: "acme/app", PR: pr, Hash: fmt.Sprint("h", i)}
					if last != nil {
						r.Seq, r.PrevHash = last.Seq+1, last.Hash
					}
					return r, nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			recs, err := s.PRAuditRecords(ctx, "acme/app", 7, 2)
			if err != nil {
				t.Fatal(err)
			}
			var seqs []int64
			for _, r := range recs {
				seqs = append(seqs, r.Seq)
			}
			if diff := cmp.Diff([]int64{3, 4}, seqs); diff != "" {
				t.Errorf("PRAuditRecords(#7, 2) seqs (-want +got):\n%s", diff)
			}
			k := store.PRKey{Installation: 1, Owner: "acme", Repo: "app", Number: 7}
			for _, g := range []string{"prod", "docs"} {
				if _, _, err := s.BeginExecution(ctx, store.Execution{Key: k, Gate: g, HeadSHA: "abc", Kind: "merge", Created: t0}); err != nil {
					t.Fatal(err)
				}
			}
			other := k
			other.Number = 8
			if _, _, err := s.BeginExecution(ctx, store.Execution{Key: other, Gate: "prod", HeadSHA: "abc", Kind: "merge", Created: t0}); err != nil {
				t.Fatal(err)
			}
			execs, err := s.PRExecutions(ctx, "acme", "app", 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(execs) != 2 || execs[0].Key.Number != 7 || execs[1].Key.Number != 7 {
				t.Errorf("PRExecutions(#7) = %+v, want the two executions of #7", execs)
			}
		})
	}
}
