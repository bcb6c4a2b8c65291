package upkeep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// PruneStore removes old rows.
type PruneStore interface {
	PruneDeliveries(ctx context.Context, before time.Time) (int64, error)
	PruneCheckFingerprints(ctx context.Context, before time.Time) (int64, error)
	PruneFailingJobs(ctx context.Context, attempts int) (int64, error)
}

// Pruner removes store rows past their retention, and re-evaluation jobs
// that never settle. The audit log is never pruned; executions are kept
// too, since they are what makes each Z happen once.
type Pruner struct {
	Store PruneStore
	// DeliveryRetention is how long delivery ids are kept for dropping
	// replays and for deciding what to redeliver; CheckRetention how long
	// a check-run fingerprint not rewritten since is kept.
	DeliveryRetention time.Duration
	CheckRetention    time.Duration
	// JobMaxAttempts is how many failures in a row a re-evaluation job
	// may have before it is dropped (the sweep enqueues open pull
	// requests again); 0 keeps them.
	JobMaxAttempts int
	Now            func() time.Time
	Logger         *slog.Logger
}

// Run prunes once; it tries every table even when one fails.
func (p *Pruner) Run(ctx context.Context) error {
	now := p.Now()
	var errs []error
	deliveries, err := p.Store.PruneDeliveries(ctx, now.Add(-p.DeliveryRetention))
	if err != nil {
		errs = append(errs, err)
	}
	checks, err := p.Store.PruneCheckFingerprints(ctx, now.Add(-p.CheckRetention))
	if err != nil {
		errs = append(errs, err)
	}
	var jobs int64
	if p.JobMaxAttempts > 0 {
		if jobs, err = p.Store.PruneFailingJobs(ctx, p.JobMaxAttempts); err != nil {
			errs = append(errs, err)
		}
	}
	if deliveries+checks > 0 {
		p.Logger.Info("store pruned", "deliveries", deliveries, "check_fingerprints", checks)
	}
	if jobs > 0 {
		p.Logger.Warn("dropped re-evaluation jobs that kept failing; the sweep re-enqueues open pull requests",
			"jobs", jobs, "failures", p.JobMaxAttempts)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	return nil
}
