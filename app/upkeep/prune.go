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
}

// Pruner removes store rows past their retention. The audit log is never
// pruned; executions are kept too, since they are what makes each Z
// happen once.
type Pruner struct {
	Store PruneStore
	// DeliveryRetention is how long delivery ids are kept for dropping
	// replays and for deciding what to redeliver; CheckRetention how long
	// a check-run fingerprint not rewritten since is kept.
	DeliveryRetention time.Duration
	CheckRetention    time.Duration
	Now               func() time.Time
	Logger            *slog.Logger
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
	if deliveries+checks > 0 {
		p.Logger.Info("store pruned", "deliveries", deliveries, "check_fingerprints", checks)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	return nil
}
