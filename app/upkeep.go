package app

import (
	"context"
	"sync"

	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/upkeep"
)

// startUpkeep starts the periodic housekeeping (docs/config.md): asking
// GitHub again for failed webhook deliveries, and pruning the store. Both
// run at start and then on their interval; 0 disables either.
func startUpkeep(ctx context.Context, wg *sync.WaitGroup, o Options, apps *ghclient.Apps, st *store.Store) {
	log := o.Logger
	r := &upkeep.Redeliverer{App: apps.App, Seen: st, Window: o.RedeliveryWindow, Max: o.RedeliveryMax, Now: o.Now, Logger: log}
	wg.Go(func() {
		upkeep.Every(ctx, o.RedeliveryInterval, func(ctx context.Context) {
			stats, err := r.Run(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("redelivery of failed webhooks incomplete; the next run retries", "err", err, "redelivered", stats.Redelivered)
			case stats.Failed > 0:
				log.Info("failed webhook deliveries checked", "failed", stats.Failed, "redelivered", stats.Redelivered,
					"already_received", stats.Seen, "refused", stats.Refused, "given_up", stats.GivenUp)
			}
		})
	})
	p := &upkeep.Pruner{Store: st, DeliveryRetention: o.DeliveryRetention, CheckRetention: o.CheckRetention,
		JobMaxAttempts: o.JobMaxAttempts, Now: o.Now, Logger: log}
	wg.Go(func() {
		upkeep.Every(ctx, o.PruneInterval, func(ctx context.Context) {
			if err := p.Run(ctx); err != nil && ctx.Err() == nil {
				log.Warn("pruning the store failed; the next run retries", "err", err)
			}
		})
	})
}
