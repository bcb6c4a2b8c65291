package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// act runs the Z of an open gate. Immediately before, it re-reads the pull
// request and re-evaluates: Z runs only if the gate still holds on the same
// head SHA (a push, a dismissed review or a closed window in between means
// re-evaluate, never act). It returns nil when the gate no longer holds.
func (e *Engine) act(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, first *facts.Result, gate string) (*store.Execution, error) {
	res, err := e.cfg.Gatherer.Gather(ctx, gh, key.Owner, key.Repo, key.Number)
	if err != nil {
		return nil, fmt.Errorf("re-gather %s before Z: %w", key, err)
	}
	switch {
	case res.HeadSHA != first.HeadSHA:
		log.Info("head moved before Z; re-evaluating", "fresh_head", res.HeadSHA)
		return nil, nil
	case res.PR.GetState() != "open":
		log.Info("pull request closed before Z")
		return nil, nil
	case res.Policy == nil:
		log.Info("policy unloadable before Z; re-evaluating")
		return nil, nil
	}
	d := policy.Evaluate(res.Policy, &res.Facts, e.now())
	var g *policy.Gate
	for i := range res.Policy.Gates {
		if res.Policy.Gates[i].Name == gate {
			g = &res.Policy.Gates[i]
		}
	}
	held := false
	for _, gd := range d.Gates {
		held = held || gd.Name == gate && gd.State == policy.StateSuccess
	}
	if g == nil || !held {
		log.Info("gate no longer open on a fresh read; re-evaluating")
		return nil, nil
	}

	called := e.now().Truncate(time.Microsecond) // the store keeps microseconds
	exec, err := e.cfg.Executor.Run(ctx, gh, key, g, res.HeadSHA, res.Facts.PullRequest)
	// An execution updated during this call is news; one returned as
	// stored (already done, unknown) was audited when it happened.
	if exec.ID != "" && !exec.Updated.Before(called) {
		e.cfg.Metrics.Executions.WithLabelValues(string(g.Then.Kind()), string(exec.Status)).Inc()
		log.Info("Z executed", "kind", g.Then.Kind(), "status", exec.Status, "detail", exec.Detail, "err", err)
		aerr := e.append(ctx, key, audit.Entry{
			Kind: audit.KindExecution, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: gate, HeadSHA: res.HeadSHA,
			Data: executionRecord(exec, g, err),
		})
		if aerr != nil && err == nil {
			err = aerr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("run Z of %s on %s: %w", gate, key, err)
	}
	switch exec.Status {
	case store.ExecDone, store.ExecConfirmed, store.ExecUnknown:
		e.mu.Lock()
		e.done[doneKey(key, gate, res.HeadSHA)] = exec
		e.mu.Unlock()
	}
	e.refreshUnknown(ctx)
	return &exec, nil
}

// finished returns the execution already known to be final for the gate on
// this head, nil when Z has still to run (or its state is not cached).
func (e *Engine) finished(key store.PRKey, gate, sha string) *store.Execution {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.done[doneKey(key, gate, sha)]; ok {
		return &x
	}
	return nil
}

func doneKey(key store.PRKey, gate, sha string) string {
	return fmt.Sprintf("%s/%s#%d/%s@%s", key.Owner, key.Repo, key.Number, gate, sha)
}

type executionRecordData struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	Error  string `json:"error,omitempty"`
}

func executionRecord(x store.Execution, g *policy.Gate, err error) executionRecordData {
	d := executionRecordData{ID: x.ID, Kind: string(g.Then.Kind()), Status: string(x.Status), Detail: x.Detail}
	if err != nil {
		d.Error = err.Error()
	}
	return d
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
