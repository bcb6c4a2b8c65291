package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/errgroup"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/policy"
)

// report publishes one gate's check run, under each of its names for this
// base (report.Names), and, when it changed, audits the decision (and the
// override that opened it, if any). waits are the gates a merge by this
// gate waits for.
func (e *Engine) report(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, gd policy.GateDecision, exec *store.Execution, waits []policy.GateDecision, now time.Time, auditIt bool) error {
	c := report.CheckRun(res, gd, report.Options{Now: now, Execution: exec, DetailsURL: e.detailsURL(key), WaitsFor: waits})
	ctx, span := e.tracer.Start(ctx, "publish", trace.WithAttributes(tracing.AttrGate.String(gd.Name)))
	// The names are separate check runs: written side by side, the
	// evaluation waits for one round of calls to GitHub, not one per name.
	var (
		eg      errgroup.Group
		mu      sync.Mutex
		changed bool
	)
	for _, name := range report.Names(res, gd.Name) {
		named := c.WithName(name)
		if name == report.LegacyCheckName(gd.Name) {
			// The legacy name repeats the outcome only: rewritten when
			// the outcome changes, not on every change of the text.
			named = c.Mirror(name)
		}
		eg.Go(func() error {
			ch, err := e.publish(ctx, gh, key, res.HeadSHA, named)
			mu.Lock()
			changed = changed || ch
			mu.Unlock()
			return err
		})
	}
	err := eg.Wait()
	span.End()
	if err != nil {
		return err
	}
	if auditIt {
		e.observeGate(ctx, log, key, res, gd, now, changed)
	}
	if !changed || !auditIt {
		return nil
	}
	e.cfg.Metrics.Evaluations.WithLabelValues(string(gd.State)).Inc()
	log.Info("gate decided", "state", gd.State, "summary", gd.Summary)
	entry := audit.Entry{Kind: audit.KindDecision, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: gd.Name, HeadSHA: res.HeadSHA, Data: decisionRecord(gd, c)}
	if err := e.append(ctx, key, entry); err != nil {
		return err
	}
	if gd.Override != nil && gd.State == policy.StateSuccess {
		entry.Kind, entry.Data = audit.KindOverride, gd.Override
		if err := e.append(ctx, key, entry); err != nil {
			return err
		}
	}
	e.signOpened(ctx, log, gh, key, res, gd, waits, now)
	return nil
}

// publish writes c on the head commit unless it is already there;
// changed tells whether it was written.
func (e *Engine) publish(ctx context.Context, gh *github.Client, key store.PRKey, sha string, c report.Content) (changed bool, err error) {
	_, changed, err = e.publisher(ctx).Publish(ctx, gh, key.Owner, key.Repo, sha, c)
	if err != nil {
		return changed, fmt.Errorf("publish %s on %s: %w", c.Name, key, err)
	}
	return changed, nil
}

func (e *Engine) detailsURL(key store.PRKey) string {
	if e.cfg.DetailsURL == nil {
		return ""
	}
	return e.cfg.DetailsURL(key)
}
