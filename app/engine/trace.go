package engine

import (
	"context"
	"time"

	"github.com/google/go-github/v62/github"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/policy"
)

// Each re-evaluation is one trace (a queue job has no parent): spans
// gather (with a child per GitHub call, from ghclient), evaluate, publish
// per gate and z, with the repository, pull request, gate and head SHA as
// attributes. With tracing off the tracer is a no-op.

// startTrace starts the re-evaluation's root span.
func (e *Engine) startTrace(ctx context.Context, key store.PRKey) (context.Context, trace.Span) {
	return e.tracer.Start(ctx, "reevaluate", trace.WithNewRoot(),
		trace.WithAttributes(tracing.AttrRepo.String(key.Owner+"/"+key.Repo), tracing.AttrPR.Int(key.Number)))
}

// endTrace ends the re-evaluation's span and, when it succeeded, marks
// the time of the last successful evaluation (the coordinator's
// availability SLI).
func (e *Engine) endTrace(span trace.Span, err error) {
	endSpan(span, err)
	if err == nil && e.cfg.Metrics.SLI != nil {
		e.cfg.Metrics.SLI.LastSuccess.Set(float64(e.now().UnixNano()) / 1e9)
	}
}

// endSpan ends span, marking it failed with err.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "failed")
	}
	span.End()
}

// gather reads the pull request's facts under a "gather" span.
func (e *Engine) gather(ctx context.Context, gh *github.Client, key store.PRKey) (*facts.Result, error) {
	ctx, span := e.tracer.Start(ctx, "gather")
	res, err := e.cfg.Gatherer.Gather(ctx, gh, key.Owner, key.Repo, key.Number)
	endSpan(span, err)
	return res, err
}

// decide evaluates the policy under an "evaluate" span.
func (e *Engine) decide(ctx context.Context, res *facts.Result, now time.Time) policy.Decision {
	_, span := e.tracer.Start(ctx, "evaluate", trace.WithAttributes(tracing.AttrHeadSHA.String(res.HeadSHA)))
	defer span.End()
	return facts.Evaluate(res, now)
}
