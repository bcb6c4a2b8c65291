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

// handle runs the handler for a claimed job and settles the claim.
func (r *Runner) handle(ctx context.Context, log *slog.Logger, job *store.Job) {
	log = log.With("pr", job.Key.String(), "attempt", job.Attempt)
	hctx, cancel := context.WithTimeout(ctx, r.o.Lease*9/10)
	next, err := r.call(hctx, job.Key)
	cancel()

	// Settle even when shutting down, so the PR is not stuck until the
	// lease runs out.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer scancel()
	switch {
	case err != nil && ctx.Err() != nil:
		err = r.s.Release(sctx, job)
	case err != nil:
		delay := backoff(job.Attempt, r.o.MaxBackoff, rand.Float64())
		log.Warn("job failed; retrying", "err", err, "delay", delay)
		err = r.s.Retry(sctx, job, r.o.Now().Add(delay))
	default:
		if !next.IsZero() {
			// Enqueue while still claimed: the store keeps the timer as a
			// re-run, so a crash before Complete cannot lose it.
			if err := r.s.Enqueue(sctx, job.Key, next); err != nil {
				log.Warn("scheduling the next run failed", "err", err, "next", next)
			}
		}
		err = r.s.Complete(sctx, job)
	}
	if errors.Is(err, store.ErrClaimLost) {
		log.Warn("claim lost before the job was settled; another worker re-ran it", "err", err)
	} else if err != nil {
		log.Error("settling job failed; it runs again when its lease ends", "err", err)
	}
}

// call runs the handler, turning a panic into an error so one bad PR
// cannot stop a worker.
func (r *Runner) call(ctx context.Context, key store.PRKey) (next time.Time, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return r.h(ctx, key)
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
