package upkeep

import (
	"context"
	"time"
)

// Every runs f at once and then every interval until ctx ends. A run that
// fails is only logged by f: the next one tries again.
func Every(ctx context.Context, interval time.Duration, f func(context.Context)) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		f(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
