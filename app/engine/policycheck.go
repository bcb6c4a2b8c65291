package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
)

// KindPolicyCheck is the audit kind of a `zgate/policy` check written or
// changed: what a pull request changes of the rules.
const KindPolicyCheck = "policy_check"

// PolicyChanges reads what a pull request changes of the rules
// (facts.Gatherer).
type PolicyChanges interface {
	PolicyChange(ctx context.Context, gh *github.Client, owner, repo string, res *facts.Result) (*facts.PolicyChange, error)
}

// policyCheck writes the `zgate/policy` check of a pull request that
// changes the policy or CODEOWNERS ([report.PolicyCheck]) on its head
// commit, under the per-base names (report.Names): the same head can be
// the head of pull requests into other bases, each with its own diff, and
// none may write another's check. It returns the commit status state per
// name, for guardStatuses; nil when the pull request changes no rule
// file. It writes nothing when the base policy has a gate named "policy",
// whose check has that name: the gate keeps it.
func (e *Engine) policyCheck(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result) (map[string]string, error) {
	if e.cfg.PolicyChanges == nil {
		return nil, nil
	}
	p := res.Policy
	if p == nil {
		// An unloadable policy fails the last good one's gates by name.
		e.mu.Lock()
		p = e.lastGood[key.Owner+"/"+key.Repo+"@"+res.BaseRef]
		e.mu.Unlock()
	}
	if p != nil {
		for i := range p.Gates {
			if p.Gates[i].Name == report.PolicyGate {
				log.Warn("a gate named \"policy\" owns the zgate/policy check: no policy-change check is written; rename the gate to get it")
				return nil, nil
			}
		}
	}
	pc, err := e.cfg.PolicyChanges.PolicyChange(ctx, gh, key.Owner, key.Repo, res)
	if err != nil {
		return nil, fmt.Errorf("read the rules %s changes: %w", key, err)
	}
	if pc == nil {
		return nil, nil
	}
	c := report.PolicyCheck(pc)
	c.DetailsURL = e.detailsURL(key)
	c.At = e.now()
	state := "success"
	if c.Conclusion == report.ConclusionFailure {
		state = "failure"
	}
	want := map[string]string{}
	changed := false
	for _, name := range report.Names(res, report.PolicyGate) {
		want[name] = state
		ch, err := e.publish(ctx, gh, key, res.HeadSHA, c.WithName(name))
		if err != nil {
			return want, err
		}
		changed = changed || ch
	}
	if !changed {
		return want, nil
	}
	log.Info("policy change checked", "conclusion", c.Conclusion, "title", c.Title, "files", pc.Changed)
	return want, e.append(ctx, key, audit.Entry{
		Kind: KindPolicyCheck, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: report.PolicyGate, HeadSHA: res.HeadSHA,
		Data: map[string]any{"conclusion": c.Conclusion, "title": c.Title, "files": pc.Changed, "annotations": len(c.Annotations)},
	})
}
