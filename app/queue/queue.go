package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// Handler re-evaluates one PR. A non-zero next asks for another run at
// that time (the decision's expires_at); zero means no timer. An error
// makes the job run again after a backoff.
type Handler func(ctx context.Context, key store.PRKey) (next time.Time, err error)

// StagingHandler is a [Handler] that stages the writes recording what it
// did (check-run fingerprints, audit records) in fin rather than
// committing each: the runner commits them in the one transaction that
// settles the job, also when the handler failed (see store.Finish).
type StagingHandler func(ctx context.Context, key store.PRKey, fin *store.Finish) (next time.Time, err error)

// Defaults for the zero fields of Options.
const (
	DefaultWorkers    = 4
	DefaultLease      = 5 * time.Minute
	DefaultPoll       = 10 * time.Second
	DefaultMaxBackoff = 10 * time.Minute
)

// Options configure a Runner; zero fields take the defaults.
type Options struct {
	// Workers is how many PRs are handled at once.
	Workers int
	// Lease is how long a claim holds a PR. A handler gets 90% of it as its
	// deadline, so a claim does not run out under a slow handler; a crashed
	// worker's jobs become claimable again after it.
	Lease time.Duration
	// Poll is the longest an idle worker sleeps before looking at the store
	// again (other replicas enqueue without waking this one).
	Poll time.Duration
	// Now is the clock for due times; time.Now when nil.
	Now func() time.Time
	// Logger receives job failures; nothing is logged when nil.
	Logger *slog.Logger
	// Worker names this runner in claims; a random name when empty.
	Worker string
	// MaxBackoff caps the delay before a failed job runs again.
	MaxBackoff time.Duration
}

// Runner runs queued jobs with a Handler.
type Runner struct {
	s   *store.Store
	h   StagingHandler
	o   Options
	log *slog.Logger

	// wake holds a token per Wake not yet taken, at most one per
	// worker: each wakes one idle worker, so a job enqueued wakes one
	// worker rather than all of them racing for it on the store's writer.
	wake chan struct{}

	mu sync.Mutex
	// unsettled keeps, per pull request, the staged writes of a run whose
	// settlement failed (the store was unreachable): they record what
	// happened on GitHub, so the next run of the pull request here
	// commits them first.
	unsettled map[store.PRKey]*store.Finish
}

// New returns a Runner over s calling h; it does nothing until Run.
func New(s *store.Store, h Handler, o Options) *Runner {
	var sh StagingHandler
	if h != nil {
		sh = func(ctx context.Context, key store.PRKey, _ *store.Finish) (time.Time, error) { return h(ctx, key) }
	}
	return NewStaging(s, sh, o)
}

// NewStaging returns a Runner over s calling h, committing the writes h
// stages with each job's settlement; it does nothing until Run.
func NewStaging(s *store.Store, h StagingHandler, o Options) *Runner {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Worker == "" {
		var b [4]byte
		_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
		o.Worker = "zgate-" + hex.EncodeToString(b[:])
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{s: s, h: h, o: o, log: log.With("worker", o.Worker), wake: make(chan struct{}, o.Workers),
		unsettled: map[store.PRKey]*store.Finish{}}
}

// Enqueue asks for the PR to be handled at the given time (coalescing with
// any pending job for it) and wakes a worker.
func (r *Runner) Enqueue(ctx context.Context, key store.PRKey, at time.Time) error {
	if err := r.s.Enqueue(ctx, key, at); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	r.Wake()
	return nil
}

// Intake records a webhook delivery with its jobs in one transaction (see
// store.Store.Intake) and wakes a worker per job.
func (r *Runner) Intake(ctx context.Context, in store.Intake) (new bool, err error) {
	new, err = r.s.Intake(ctx, in)
	if err != nil {
		return false, fmt.Errorf("queue: %w", err)
	}
	for range in.Jobs {
		r.Wake()
	}
	return new, nil
}

// Wake makes an idle worker look for due jobs now; when none is idle,
// the next one to go idle looks again at once.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default: // every worker has a wake-up waiting already
	}
}

// Run handles jobs until ctx is done, then waits for the workers to stop
// (a job in progress is released for another run) and returns nil.
func (r *Runner) Run(ctx context.Context) error {
	if r.s == nil || r.h == nil {
		return errors.New("queue: runner needs a store and a handler")
	}
	var wg sync.WaitGroup
	for i := range r.o.Workers {
		wg.Go(func() { r.work(ctx, r.log.With("slot", i)) })
	}
	wg.Wait()
	return nil
}

// minSleep keeps a worker that lost a race for a due job from spinning.
const minSleep = 10 * time.Millisecond

// work is one worker's loop.
func (r *Runner) work(ctx context.Context, log *slog.Logger) {
	var next *store.Job // claimed by the last settlement
	for ctx.Err() == nil {
		// A Wake during the look leaves its token for the sleep below,
		// so it is not missed.
		wake := r.wake
		job := next
		if job == nil {
			var err error
			job, err = r.s.Claim(ctx, r.o.Worker, r.o.Now(), r.o.Lease)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("claim failed", "err", err)
				}
				r.sleep(ctx, wake, r.o.Poll)
				continue
			}
		}
		if job != nil {
			// The settlement claims the next due job, if any, so a busy
			// worker commits once per job; an idle one looks only after
			// a wake-up.
			if next = r.handle(ctx, log, job); next == nil {
				r.sleep(ctx, wake, r.untilDue(ctx))
			}
			continue
		}
		r.sleep(ctx, wake, r.untilDue(ctx))
	}
	if next != nil {
		// Claimed as the runner stopped: give it back for another run.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
		defer cancel()
		if err := r.s.Settle(sctx, next, store.Settlement{Release: true}, nil); err != nil {
			log.Warn("releasing a job claimed at shutdown failed; it runs again when its lease ends", "pr", next.Key.String(), "err", err)
		}
	}
}

// untilDue is how long to sleep: until the next job is due, at most Poll.
func (r *Runner) untilDue(ctx context.Context) time.Duration {
	d := r.o.Poll
	at, ok, err := r.s.NextDue(ctx)
	if err == nil && ok {
		d = min(d, at.Sub(r.o.Now()))
	}
	return max(d, minSleep)
}

func (r *Runner) sleep(ctx context.Context, wake <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-wake:
	case <-t.C:
	}
}
