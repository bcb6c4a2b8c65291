package engine

import (
	"context"
	"log/slog"
	"maps"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// policyError fails every known gate (or the single "zgate" check) of a
// pull request whose base branch has an unloadable policy, with
// FILE:LINE:COL, and audits it when the check changed. extra are further
// commit status states guardStatuses is to keep (the policy check's).
func (e *Engine) policyError(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, extra map[string]string) error {
	e.mu.Lock()
	last := e.lastGood[key.Owner+"/"+key.Repo+"@"+res.BaseRef]
	e.mu.Unlock()
	base := report.PolicyError(res.PolicyFile, res.PolicyErr)
	names := report.Names(res, "")
	if last != nil && len(last.Gates) > 0 {
		names = names[:0]
		for i := range last.Gates {
			names = append(names, report.Names(res, last.Gates[i].Name)...)
		}
	}
	want := maps.Clone(extra)
	if want == nil {
		want = map[string]string{}
	}
	for _, name := range names {
		want[name] = "failure"
	}
	if err := e.guardStatuses(ctx, log, gh, key, res, want); err != nil {
		return err
	}
	anyChanged := false
	for _, name := range names {
		c := base.WithName(name)
		c.At = e.now()
		changed, err := e.publish(ctx, gh, key, res.HeadSHA, c)
		if err != nil {
			return err
		}
		anyChanged = anyChanged || changed
	}
	if !anyChanged {
		return nil
	}
	log.Warn("policy cannot be loaded: every gate fails", "file", res.PolicyFile, "err", res.PolicyErr)
	e.cfg.Metrics.Evaluations.WithLabelValues(string(policy.StateError)).Inc()
	return e.append(ctx, key, audit.Entry{
		Kind: audit.KindPolicyError, Repo: key.Owner + "/" + key.Repo, PR: key.Number, HeadSHA: res.HeadSHA,
		Data: map[string]any{"file": res.PolicyFile, "error": res.PolicyErr.Error(), "checks": names},
	})
}
