package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// settleTimeout bounds the store calls that finish a job after the
// runner's context is cancelled (releasing the claim on shutdown).
const settleTimeout = 5 * time.Second

// handle runs the handler for a claimed job and settles the claim,
// committing what the handler staged in the same transaction, which also
// claims the worker's next job unless the runner is stopping: it returns
// that job, nil when none was due.
func (r *Runner) handle(ctx context.Context, log *slog.Logger, job *store.Job) (nextJob *store.Job) {
	log = log.With("pr", job.Key.String(), "attempt", job.Attempt)
	fin := r.finishFor(job.Key)
	hctx, cancel := context.WithTimeout(ctx, r.o.Lease*9/10)
	next, err := r.call(hctx, job.Key, fin)
	cancel()
	jobs := fin.Jobs() // queued by the handler, for others to run

	// Settle even when shutting down, so the PR is not stuck until the
	// lease runs out.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer scancel()
	var how store.Settlement
	switch {
	case err != nil && ctx.Err() != nil:
		how.Release = true
	case err != nil:
		delay := backoff(job.Attempt, r.o.MaxBackoff, rand.Float64())
		log.Warn("job failed; retrying", "err", err, "delay", delay)
		how.Retry, how.RunAt = true, r.o.Now().Add(delay)
	case !next.IsZero():
		// Enqueue while still claimed, in the settling transaction: the
		// store keeps the timer as a re-run of the completed job.
		if err := fin.Enqueue(job.Key, next); err != nil {
			log.Warn("scheduling the next run failed", "err", err, "next", next)
		}
	}
	if ctx.Err() == nil {
		nextJob, err = r.s.SettleAndClaim(sctx, job, how, fin, store.NextClaim{Worker: r.o.Worker, Now: r.o.Now(), Lease: r.o.Lease})
	} else {
		err = r.s.Settle(sctx, job, how, fin)
	}
	if err == nil || errors.Is(err, store.ErrClaimLost) {
		// The handler queued other pull requests (a repository's): wake
		// workers for them.
		for range jobs {
			r.Wake()
		}
	}
	switch {
	case errors.Is(err, store.ErrClaimLost):
		log.Warn("claim lost before the job was settled; another worker re-ran it", "err", err)
	case err != nil:
		r.keepUnsettled(job.Key, fin)
		log.Error("settling job failed; it runs again when its lease ends", "err", err)
	}
	return nextJob
}

// finishFor returns the staged writes a failed settlement of key left,
// or a new Finish.
func (r *Runner) finishFor(key store.PRKey) *store.Finish {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fin, ok := r.unsettled[key]; ok {
		delete(r.unsettled, key)
		return fin
	}
	return r.s.NewFinish()
}

// keepUnsettled keeps fin's writes for key's next run here.
func (r *Runner) keepUnsettled(key store.PRKey, fin *store.Finish) {
	if fin.Empty() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unsettled[key] = fin
}

// call runs the handler, turning a panic into an error so one bad PR
// cannot stop a worker.
func (r *Runner) call(ctx context.Context, key store.PRKey, fin *store.Finish) (next time.Time, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return r.h(ctx, key, fin)
}

// backoff is the delay before retry number attempt+1: 1s doubling per
// attempt, capped at maxDelay, with jitter in [0,1) spreading it over
// [d/2, d).
func backoff(attempt int, maxDelay time.Duration, jitter float64) time.Duration {
	d := maxDelay
	if attempt < 30 {
		d = min(time.Second<<attempt, maxDelay)
	}
	return d/2 + time.Duration(jitter*float64(d/2))
}
