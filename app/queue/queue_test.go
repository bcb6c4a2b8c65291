package queue_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/queue"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

// clock is a fake clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	if err != nil {
		t.Fatalf("store.Open() = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func pr(n int) store.PRKey {
	return store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: n}
}

// start runs r until the test ends and checks Run returns.
func start(t *testing.T, r *queue.Runner) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		stopped(t, done)
	})
}

// stopped waits for a cancelled Run to return nil on done and reports
// whether it returned at all.
func stopped(t *testing.T, done <-chan error) bool {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run() = %v, want nil", err)
		}
		return true
	case <-time.After(10 * time.Second):
		t.Errorf("Run() did not return after cancel")
		return false
	}
}

// eventually polls cond (real time) for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// idle reports whether the store holds no job at all.
func idle(t *testing.T, s *store.Store) func() bool {
	return func() bool {
		n, err := s.PendingJobs(t.Context())
		if err != nil {
			t.Fatalf("PendingJobs() = %v", err)
		}
		return n == 0
	}
}

func opts(c *clock) queue.Options {
	return queue.Options{Workers: 3, Lease: time.Minute, Poll: 20 * time.Millisecond, Now: c.Now, MaxBackoff: time.Minute}
}

func TestBurstCoalesces(t *testing.T) {
	s, c := openStore(t), newClock()
	var runs atomic.Int32
	release := make(chan struct{})
	r := queue.New(s, func(ctx context.Context, _ store.PRKey) (time.Time, error) {
		if runs.Add(1) == 1 {
			<-release // hold the claim while the burst arrives
		}
		return time.Time{}, nil
	}, opts(c))
	start(t, r)
	for range 100 {
		if err := r.Enqueue(t.Context(), pr(1), c.Now()); err != nil {
			t.Fatalf("Enqueue() = %v", err)
		}
	}
	close(release)
	eventually(t, "the queue to drain", idle(t, s))
	if n := runs.Load(); n < 1 || n > 2 {
		t.Errorf("handler ran %d times for a burst of 100 enqueues, want 1 or 2", n)
	}
}

func TestTimerFiresAtNext(t *testing.T) {
	s, c := openStore(t), newClock()
	var runs atomic.Int32
	ran := make(chan time.Time, 10)
	r := queue.New(s, func(ctx context.Context, _ store.PRKey) (time.Time, error) {
		ran <- c.Now()
		if runs.Add(1) == 1 {
			return c.Now().Add(time.Hour), nil // the window closes in an hour
		}
		return time.Time{}, nil
	}, opts(c))
	start(t, r)
	t0 := c.Now()
	if err := r.Enqueue(t.Context(), pr(1), t0); err != nil {
		t.Fatalf("Enqueue() = %v", err)
	}
	if got := <-ran; !got.Equal(t0) {
		t.Fatalf("first run at %v, want %v", got, t0)
	}
	eventually(t, "the timer to be stored", func() bool {
		at, ok, err := s.NextDue(t.Context())
		return err == nil && ok && at.Equal(t0.Add(time.Hour))
	})
	c.Advance(59 * time.Minute)
	r.Wake()
	time.Sleep(100 * time.Millisecond) // several polls
	if n := runs.Load(); n != 1 {
		t.Fatalf("handler ran %d times before the timer, want 1", n)
	}
	c.Advance(time.Minute)
	r.Wake()
	select {
	case got := <-ran:
		if !got.Equal(t0.Add(time.Hour)) {
			t.Errorf("timer run at %v, want %v", got, t0.Add(time.Hour))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("timer did not fire")
	}
	eventually(t, "the queue to drain", idle(t, s))
}

func TestRetryAfterError(t *testing.T) {
	s, c := openStore(t), newClock()
	var runs atomic.Int32
	r := queue.New(s, func(ctx context.Context, _ store.PRKey) (time.Time, error) {
		switch runs.Add(1) {
		case 1:
			return time.Time{}, errors.New("github: 502")
		case 2:
			panic("a bug in the handler")
		}
		return time.Time{}, nil
	}, opts(c))
	start(t, r)
	if err := r.Enqueue(t.Context(), pr(1), c.Now()); err != nil {
		t.Fatalf("Enqueue() = %v", err)
	}
	// A claimed job is due at its lease end, c.Now()+Lease (the clock
	// stands still); once Retry has stored it, within the backoff, sooner.
	// The clock may only move after that: moved earlier, Retry would count
	// its backoff from the moved clock and the retry would never be due.
	retried := func() bool {
		at, ok, err := s.NextDue(t.Context())
		return err == nil && ok && at.Before(c.Now().Add(time.Minute))
	}
	for want := int32(2); want <= 3; want++ {
		eventually(t, "the failed run", func() bool { return runs.Load() == want-1 })
		eventually(t, "the failed run's retry to be stored", retried)
		time.Sleep(50 * time.Millisecond)
		if n := runs.Load(); n != want-1 {
			t.Fatalf("handler ran %d times before the backoff passed, want %d", n, want-1)
		}
		c.Advance(time.Minute) // MaxBackoff
		r.Wake()
		eventually(t, "the retry", func() bool { return runs.Load() == want })
	}
	eventually(t, "the queue to drain", idle(t, s))
	time.Sleep(50 * time.Millisecond)
	if n := runs.Load(); n != 3 {
		t.Errorf("handler ran %d times, want 3 (error, panic, success)", n)
	}
}

// TestTwoRunnersSerialisePerPR runs two runners (as two replicas would)
// over one database and checks no PR is ever handled twice at once.
func TestTwoRunnersSerialisePerPR(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testTwoRunners(t, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testTwoRunners(t, storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES")))
	})
}

func testTwoRunners(t *testing.T, path string) {
	c := newClock()
	var mu sync.Mutex
	inFlight := map[int]int{}
	var runs, overlaps atomic.Int32
	h := func(ctx context.Context, key store.PRKey) (time.Time, error) {
		mu.Lock()
		inFlight[key.Number]++
		if inFlight[key.Number] > 1 {
			overlaps.Add(1)
		}
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		inFlight[key.Number]--
		mu.Unlock()
		runs.Add(1)
		return time.Time{}, nil
	}
	var runners []*queue.Runner
	var stores []*store.Store
	for range 2 {
		s, err := store.Open(t.Context(), path)
		if err != nil {
			t.Fatalf("store.Open() = %v", err)
		}
		t.Cleanup(func() { s.Close() })
		r := queue.New(s, h, opts(c))
		start(t, r)
		runners, stores = append(runners, r), append(stores, s)
	}
	for i := range 200 {
		if err := runners[i%2].Enqueue(t.Context(), pr(1+i%5), c.Now()); err != nil {
			t.Fatalf("Enqueue() = %v", err)
		}
	}
	eventually(t, "the queue to drain", idle(t, stores[0]))
	if n := overlaps.Load(); n != 0 {
		t.Errorf("a PR was handled concurrently %d times, want never", n)
	}
	if n := runs.Load(); n < 5 {
		t.Errorf("handler ran %d times, want at least once per PR (5)", n)
	}
}

// TestShutdownReleasesJob cancels the runner while a handler runs: Run
// returns and the job is claimable at once, not after the lease.
func TestShutdownReleasesJob(t *testing.T) {
	s, c := openStore(t), newClock()
	started := make(chan struct{})
	r := queue.New(s, func(ctx context.Context, _ store.PRKey) (time.Time, error) {
		close(started)
		<-ctx.Done()
		return time.Time{}, ctx.Err()
	}, opts(c))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if err := r.Enqueue(t.Context(), pr(1), c.Now()); err != nil {
		t.Fatalf("Enqueue() = %v", err)
	}
	<-started
	cancel()
	if !stopped(t, done) {
		t.FailNow()
	}
	j, err := s.Claim(t.Context(), "other", c.Now(), time.Minute)
	if err != nil || j == nil || j.Attempt != 0 {
		t.Errorf("Claim() after shutdown = %+v, %v; want the released job at attempt 0", j, err)
	}
}

func TestRunNeedsHandler(t *testing.T) {
	if err := queue.New(openStore(t), nil, queue.Options{}).Run(t.Context()); err == nil {
		t.Errorf("Run() without a handler = nil, want an error")
	}
}

// TestNoGoroutineLeak checks that every goroutine Run starts is gone once
// it returns.
func TestNoGoroutineLeak(t *testing.T) {
	s, c := openStore(t), newClock()
	before := runtime.NumGoroutine()
	o := opts(c)
	o.Workers = 8
	r := queue.New(s, func(ctx context.Context, _ store.PRKey) (time.Time, error) {
		return c.Now().Add(time.Hour), nil
	}, o)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	for i := range 20 {
		if err := r.Enqueue(t.Context(), pr(i+1), c.Now()); err != nil {
			t.Fatalf("Enqueue() = %v", err)
		}
	}
	eventually(t, "the timers to be stored", func() bool {
		at, ok, err := s.NextDue(t.Context())
		return err == nil && ok && at.Equal(c.Now().Add(time.Hour))
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run() = %v", err)
	}
	eventually(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

// TestBusyWorkerCommitsOncePerJob: with jobs waiting, each settlement
// claims the worker's next job in the same commit, so a backlog of n jobs
// costs n+1 commits (the first claim, then one per job), not 2n.
func TestBusyWorkerCommitsOncePerJob(t *testing.T) {
	s, c := openStore(t), newClock()
	const n = 20
	for i := 1; i <= n; i++ {
		if err := s.Enqueue(t.Context(), pr(i), c.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var runs atomic.Int32
	o := opts(c)
	o.Workers = 1
	before := s.Commits()
	r := queue.New(s, func(ctx context.Context, _ store.PRKey) (time.Time, error) {
		runs.Add(1)
		return time.Time{}, nil
	}, o)
	start(t, r)
	eventually(t, "the queue to drain", idle(t, s))
	if got := runs.Load(); got != n {
		t.Fatalf("handler ran %d times, want %d", got, n)
	}
	if got := s.Commits() - before; got != n+1 {
		t.Errorf("%d jobs took %d commits, want %d", n, got, n+1)
	}
}
