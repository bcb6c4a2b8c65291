package engine

import (
	"context"
	"log/slog"

	"github.com/zgate-dev/zgate/app/store"
)

// freshUnknown re-reads an execution this process remembers as unknown: a
// person may have resolved it since (`zgate execution confirm|fail`, in
// another process, which enqueues this re-evaluation), and the check run
// must then say so, or Z run again when they said it did not run. Any
// other remembered status is final or about to be replaced by act.
func (e *Engine) freshUnknown(ctx context.Context, log *slog.Logger, key store.PRKey, x *store.Execution) *store.Execution {
	if x == nil || x.Status != store.ExecUnknown {
		return x
	}
	stored, err := e.cfg.Store.Execution(ctx, x.ID)
	if err != nil {
		// Keep the remembered unknown: it never lets Z run again.
		log.Warn("cannot re-read an unknown execution", "execution", x.ID, "err", err)
		return x
	}
	if stored.Status == x.Status {
		return x
	}
	e.mu.Lock()
	if stored.Status == store.ExecFailed {
		// A person said it did not run: act may run it again.
		delete(e.execs, doneKey(key, stored.Gate, stored.HeadSHA))
	} else {
		e.execs[doneKey(key, stored.Gate, stored.HeadSHA)] = stored
	}
	e.mu.Unlock()
	e.refreshUnknown(ctx)
	if stored.Status == store.ExecFailed {
		return nil
	}
	return &stored
}
