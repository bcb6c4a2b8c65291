package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// lazyNow is the clock of the lazy-commit tests.
var lazyNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// openLazySQLite opens a SQLite file store with lazy commits on, as zgate
// serve runs it; the test closes it.
func openLazySQLite(t *testing.T) *store.Store {
	t.Helper()
	s := openSQLite(t, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	t.Cleanup(func() { s.Close() })
	s.CommitLazily(true)
	return s
}

// TestSQLiteDurabilityClasses: what the sweep at start rebuilds (a
// delivery's jobs, claims, settlements) commits lazily; what GitHub's
// state cannot give back (pushers, executions) commits durably; and a
// lazy commit never leaves the writer's connection lowered for the next
// write, whether it committed, failed or found nothing to claim. Off
// (the default), every commit is durable.
func TestSQLiteDurabilityClasses(t *testing.T) {
	ctx := t.Context()
	s := openLazySQLite(t)
	key := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 7}

	step := func(name string, wantLazy bool, f func() error) {
		t.Helper()
		before := store.LazyCommits(s)
		if err := f(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := store.LazyCommits(s) - before; (got > 0) != wantLazy {
			t.Errorf("%s: %d lazy commits, want lazy=%v", name, got, wantLazy)
		}
		sync, err := store.WriterSynchronous(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if sync != 2 {
			t.Errorf("after %s the writer runs synchronous=%d, want 2 (FULL)", name, sync)
		}
	}
	step("claim with nothing due", false, func() error {
		j, err := s.Claim(ctx, "w", lazyNow, time.Minute)
		if j != nil {
			t.Errorf("claimed %v from an empty queue", j.Key)
		}
		return err
	})
	step("intake of a review", true, func() error {
		_, err := s.Intake(ctx, store.Intake{Delivery: "d-1", Event: "pull_request_review", Received: lazyNow, Jobs: []store.PRKey{key}})
		return err
	})
	step("intake with a pusher", false, func() error {
		_, err := s.Intake(ctx, store.Intake{Delivery: "d-2", Event: "pull_request", Received: lazyNow, Jobs: []store.PRKey{key},
			Pushes: []store.Push{{RepoID: 9, Number: 7, HeadSHA: "abc", Sender: "mallory", SeenAt: lazyNow}}})
		return err
	})
	var job *store.Job
	step("claim", true, func() (err error) {
		job, err = s.Claim(ctx, "w", lazyNow, time.Minute)
		if err == nil && job == nil {
			t.Fatal("nothing claimed")
		}
		return err
	})
	step("settle", true, func() error {
		fin := s.NewFinish()
		if err := fin.Enqueue(key, lazyNow.Add(time.Hour)); err != nil {
			return err
		}
		return s.Settle(ctx, job, store.Settlement{}, fin)
	})
	step("execution intent", false, func() error {
		_, _, err := s.BeginExecution(ctx, store.Execution{Key: key, Gate: "prod", HeadSHA: "abc", Kind: "merge"})
		return err
	})
	step("sync", false, func() error { return s.Sync(ctx) })
	s.CommitLazily(false)
	step("intake of a review, lazy commits off", false, func() error {
		_, err := s.Intake(ctx, store.Intake{Delivery: "d-4", Event: "pull_request_review", Received: lazyNow, Jobs: []store.PRKey{key}})
		return err
	})
	s.CommitLazily(true)
	step("a failed intake", false, func() error {
		_, err := s.Intake(ctx, store.Intake{Delivery: "d-3", Event: "x", Received: lazyNow, Jobs: []store.PRKey{{Owner: "acme", Repo: "payments"}}})
		if err == nil {
			t.Error("intake of an incomplete key succeeded")
		}
		return nil
	})
}

// TestSQLiteStartAfterUncleanStop: a serve that stops without StopServing
// (a crash, a power cut that may have taken lazy commits) makes the next
// start forget every check run's state, so none is trusted unread; while
// serving, the mark that a run's state is unknown commits lazily; after
// a clean stop, states are kept.
func TestSQLiteStartAfterUncleanStop(t *testing.T) {
	ctx := t.Context()
	path := "sqlite:" + filepath.Join(t.TempDir(), "zgate.db")
	open := func() *store.Store {
		s := openSQLite(t, path)
		s.CommitLazily(true)
		return s
	}
	state := func(s *store.Store) store.CheckRunState {
		t.Helper()
		st, err := s.CheckRun(ctx, "acme", "payments", "abc", "zgate/prod")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	completed := store.CheckRunState{RunID: 11, Fingerprint: "fp", Status: "completed"}

	s := open()
	if unclean, err := s.StartServing(ctx); err != nil || unclean {
		t.Fatalf("first StartServing() = %v, %v; want false, nil", unclean, err)
	}
	before := store.LazyCommits(s)
	if err := s.SetCheckRun(ctx, "acme", "payments", "abc", "zgate/prod", store.CheckRunState{RunID: 11}); err != nil {
		t.Fatal(err)
	}
	if store.LazyCommits(s) == before {
		t.Error("marking a run's state unknown while serving committed durably, want lazily")
	}
	if err := s.SetCheckRun(ctx, "acme", "payments", "abc", "zgate/prod", completed); err != nil {
		t.Fatal(err)
	}
	s.Close() // no StopServing: a crash

	s = open()
	if unclean, err := s.StartServing(ctx); err != nil || !unclean {
		t.Fatalf("StartServing() after a crash = %v, %v; want true, nil", unclean, err)
	}
	if got := state(s); got.RunID != 11 || got.Fingerprint != "" || got.Status != "" {
		t.Errorf("state after an unclean stop = %+v, want run 11 with status and fingerprint unknown", got)
	}
	if err := s.SetCheckRun(ctx, "acme", "payments", "abc", "zgate/prod", completed); err != nil {
		t.Fatal(err)
	}
	if err := s.StopServing(ctx); err != nil {
		t.Fatal(err)
	}
	before = store.LazyCommits(s)
	if err := s.SetCheckRun(ctx, "acme", "payments", "abc", "zgate/prod", store.CheckRunState{RunID: 12}); err != nil {
		t.Fatal(err)
	}
	if store.LazyCommits(s) != before {
		t.Error("marking a run's state unknown after StopServing committed lazily, want durably")
	}
	if err := s.SetCheckRun(ctx, "acme", "payments", "abc", "zgate/prod", completed); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = open()
	defer s.Close()
	if unclean, err := s.StartServing(ctx); err != nil || unclean {
		t.Fatalf("StartServing() after a clean stop = %v, %v; want false, nil", unclean, err)
	}
	if got := state(s); got != completed {
		t.Errorf("state after a clean stop = %+v, want %+v", got, completed)
	}
}
