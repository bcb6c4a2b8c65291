package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
)

// An evaluation run by the queue stages the writes that record what it
// did — check-run fingerprints and the audit records of decisions — in
// the job's store.Finish, which the queue commits with the job's
// settlement: one transaction instead of one per write. The Finish
// travels in the context from [Engine.ReevaluateStaged] to the two
// places that write (publish and append), so the steps between keep
// their signatures. A Z's records are never staged: the executor commits
// its intent before calling GitHub, and the staged writes are flushed
// before that (flushStaged) so the log keeps the decision before the
// execution.

// finishKey is the context key of the evaluation's store.Finish.
type finishKey struct{}

// StagedPublisher returns a Publisher that records fingerprints in fs
// (report.Publisher with Store fs), for staging them.
type StagedPublisher func(fs report.FingerprintStore) Publisher

// Stager commits staged writes ahead of the settlement (store.Store).
type Stager interface {
	Flush(ctx context.Context, fin *store.Finish) error
}

// ReevaluateStaged is [Engine.Reevaluate] staging its fingerprints and
// audit records in fin (queue.StagingHandler).
func (e *Engine) ReevaluateStaged(ctx context.Context, key store.PRKey, fin *store.Finish) (time.Time, error) {
	if fin != nil {
		ctx = context.WithValue(ctx, finishKey{}, fin)
	}
	return e.Reevaluate(ctx, key)
}

// staged returns the evaluation's Finish, nil when it writes directly.
func staged(ctx context.Context) *store.Finish {
	fin, _ := ctx.Value(finishKey{}).(*store.Finish)
	return fin
}

// publisher returns the Publisher for this evaluation.
func (e *Engine) publisher(ctx context.Context) Publisher {
	if fin := staged(ctx); fin != nil && e.cfg.StagedPublisher != nil {
		return e.cfg.StagedPublisher(fin)
	}
	return e.cfg.Publisher
}

// stageAudit stages entry's record when the evaluation stages its
// writes; ok is false when it does not.
func (e *Engine) stageAudit(ctx context.Context, entry audit.Entry) (ok bool, err error) {
	fin := staged(ctx)
	if fin == nil {
		return false, nil
	}
	build, err := e.cfg.Audit.Builder(entry)
	if err != nil {
		return true, fmt.Errorf("audit %s: %w", entry.Kind, err)
	}
	fin.AppendAudit(build)
	return true, nil
}

// flushStaged commits what the evaluation staged so far, before a Z.
func (e *Engine) flushStaged(ctx context.Context) error {
	fin := staged(ctx)
	if fin == nil || e.cfg.Stager == nil {
		return nil
	}
	if err := e.cfg.Stager.Flush(ctx, fin); err != nil {
		return fmt.Errorf("record the decision before Z: %w", err)
	}
	return nil
}

// enqueue schedules key at at: staged when the evaluation stages its
// writes (a repository with many open pull requests then costs one
// transaction, not one per pull request), else through the queue.
func (e *Engine) enqueue(ctx context.Context, key store.PRKey, at time.Time) error {
	if fin := staged(ctx); fin != nil {
		return fin.Enqueue(key, at)
	}
	return e.cfg.Queue.Enqueue(ctx, key, at)
}
