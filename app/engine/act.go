package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v62/github"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/policy"
)

// act runs the Z of an open gate. Immediately before, it re-reads the pull
// request and re-evaluates: Z runs only if the gate still holds on the same
// head SHA (a push, a dismissed review or a closed window in between means
// re-evaluate, never act). It returns nil when the gate no longer holds.
func (e *Engine) act(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, first *facts.Result, gate string) (*store.Execution, error) {
	// Every list read afresh: nothing remembered decides a Z.
	res, err := e.gather(facts.Fresh(ctx), gh, key)
	if err != nil {
		e.observeZError(key, gate, "regather")
		return nil, fmt.Errorf("re-gather %s before Z: %w", key, err)
	}
	now := e.now()
	g, why := facts.Recheck(first, res, gate, now)
	if g == nil {
		log.Info(why+"; re-evaluating", "fresh_head", res.HeadSHA, "state", res.PR.GetState())
		return nil, nil
	}

	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("run Z of %s on %s: %w", gate, key, err)
	}
	if err := e.flushStaged(ctx); err != nil {
		return nil, fmt.Errorf("run Z of %s on %s: %w", gate, key, err)
	}
	// From here on a shutdown does not cut Z short: cancelled half-way, a
	// merge or dispatch may reach GitHub with its outcome never recorded
	// (nor audited), and a dispatch would then wait for a person as
	// unknown. The evaluation's deadline still bounds it.
	ctx, cancel := zContext(ctx)
	defer cancel()
	called := e.now().Truncate(time.Microsecond) // the store keeps microseconds
	// The executor audits the intent (with this decision) and the outcome
	// in the transactions that store them: no Z is left without its
	// record, whenever the process dies.
	ctx, span := e.tracer.Start(ctx, "z", trace.WithAttributes(tracing.AttrGate.String(gate), attribute.String("zgate.z.kind", string(g.Then.Kind()))))
	zd := zDecision(res, gate, now)
	var gd *policy.GateDecision
	if zd != nil {
		zd.TraceID, gd = tracing.TraceID(ctx), zd.gate
	}
	exec, err := e.cfg.Executor.RunDecided(ctx, gh, key, g, res.HeadSHA, res.Facts.PullRequest, zd)
	endSpan(span, err)
	// An execution updated during this call is news; one returned as
	// stored (already done, unknown) was counted when it happened.
	if exec.ID != "" && !exec.Updated.Before(called) {
		e.observeZ(key, g, gd, exec, err)
		e.cfg.Metrics.Executions.WithLabelValues(string(g.Then.Kind()), string(exec.Status)).Inc()
		log.Info("Z executed", "kind", g.Then.Kind(), "status", exec.Status, "detail", exec.Detail, "err", err)
	} else if exec.ID == "" && err != nil {
		e.observeZError(key, gate, "error")
	}
	if err != nil {
		return nil, fmt.Errorf("run Z of %s on %s: %w", gate, key, err)
	}
	e.mu.Lock()
	e.execs[doneKey(key, gate, res.HeadSHA)] = exec
	e.mu.Unlock()
	if exec.Status == store.ExecDone && !exec.Updated.Before(called) {
		e.signDecision(ctx, log, gh, key, res, g, now, exec)
	}
	e.refreshUnknown(ctx)
	return &exec, nil
}

// zTimeout bounds a Z and the recording of its outcome when the
// evaluation has no deadline of its own (the queue always sets one).
const zTimeout = time.Minute

// zContext returns a context for running Z: not cancelled with ctx, but
// ending at ctx's deadline (or after zTimeout).
func zContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(zTimeout)
	}
	return context.WithDeadline(context.WithoutCancel(ctx), deadline)
}

// lastExecution returns the latest execution known for the gate on this
// head, nil when none is cached.
func (e *Engine) lastExecution(key store.PRKey, gate, sha string) *store.Execution {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.execs[doneKey(key, gate, sha)]; ok {
		return &x
	}
	return nil
}

// final reports whether Z must not run again for the execution: it ran,
// or its outcome waits for a person.
func final(x *store.Execution) bool {
	if x == nil {
		return false
	}
	switch x.Status {
	case store.ExecDone, store.ExecConfirmed, store.ExecUnknown:
		return true
	}
	return false
}

func doneKey(key store.PRKey, gate, sha string) string {
	return fmt.Sprintf("%s/%s#%d/%s@%s", key.Owner, key.Repo, key.Number, gate, sha)
}

// executionRecordData is the audit data of an execution the engine
// settles itself (one left in intent on a closed pull request); the
// executor writes act.Record, of the same shape.
type executionRecordData struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// zDecisionData is the decision recorded with a Z's intent and outcome.
type zDecisionData struct {
	State    policy.State           `json:"state"`
	Base     string                 `json:"base"`
	Summary  string                 `json:"summary"`
	Held     []string               `json:"held,omitempty"`
	Override *policy.OverrideResult `json:"override,omitempty"`
	// Gates is the state of every gate of the pull request when the Z is
	// a merge, which needs all applicable gates to hold.
	Gates map[string]policy.State `json:"gates,omitempty"`
	// TraceID is the trace of the evaluation that ran the Z.
	TraceID string `json:"trace_id,omitempty"`

	gate *policy.GateDecision // for the SLIs, not recorded
}

// zDecision is the audit data of the decision that lets gate's Z run, at
// now on the fresh facts (what facts.Recheck found). It goes into the Z's
// own records, written with its state, so a Z keeps its reason in the log
// even when the decision's separate record was lost to a crash.
func zDecision(res *facts.Result, gate string, now time.Time) *zDecisionData {
	dec := facts.Evaluate(res, now)
	for _, gd := range dec.Gates {
		if gd.Name != gate {
			continue
		}
		d := &zDecisionData{State: gd.State, Base: res.BaseRef, Summary: gd.Summary, Override: gd.Override, gate: &gd}
		for _, cr := range gd.Controls {
			if cr.Held {
				d.Held = append(d.Held, cr.ID+" by "+cr.By)
			}
		}
		if gd.Action == policy.ActionMerge {
			d.Gates = map[string]policy.State{}
			for _, other := range dec.Gates {
				d.Gates[other.Name] = other.State
			}
		}
		return d
	}
	return nil
}

// refreshUnknown sets the gauge of dispatches waiting for a person.
func (e *Engine) refreshUnknown(ctx context.Context) {
	xs, err := e.cfg.Store.Executions(ctx, store.ExecUnknown)
	if err != nil {
		e.log.Warn("cannot count unknown executions", "err", err)
		return
	}
	e.cfg.Metrics.UnknownExecutions.Set(float64(len(xs)))
}
