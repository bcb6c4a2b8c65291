package action

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
)

// policyChanges reads what a pull request changes of the rules
// (*facts.Gatherer); a Gatherer without it writes no policy check.
type policyChanges interface {
	PolicyChange(ctx context.Context, gh *github.Client, owner, repo string, res *facts.Result) (*facts.PolicyChange, error)
}

// policyCheck is the App's `zgate/policy` check (report.PolicyCheck) as a
// commit status, under the per-base names, with the check's text in the
// job summary. A status has no "neutral": a weakening is "success" whose
// description starts with the check's title ("Policy change weakens
// ..."), as the App's neutral check does not block either; a policy that
// does not load is "failure". It returns the per-base status, nil when
// the pull request changes no rule file, and the check's annotations.
func (r *runner) policyCheck(ctx context.Context, log *slog.Logger, res *facts.Result) (*Status, []report.Annotation, error) {
	pcs, ok := r.gather.(policyChanges)
	if !ok {
		return nil, nil, nil
	}
	if res.Policy != nil {
		for i := range res.Policy.Gates {
			if res.Policy.Gates[i].Name == report.PolicyGate {
				log.Warn("a gate named \"policy\" owns the zgate/policy status: no policy-change status is written; rename the gate to get it")
				return nil, nil, nil
			}
		}
	}
	pc, err := pcs.PolicyChange(ctx, r.gh, r.owner, r.repo, res)
	if err != nil {
		return nil, nil, fmt.Errorf("read the rules the pull request changes: %w", err)
	}
	if pc == nil {
		return nil, nil, nil
	}
	c := report.PolicyCheck(pc)
	cur, err := statuses(ctx, r.gh, r.owner, r.repo, res.HeadSHA)
	if err != nil {
		return nil, nil, err
	}
	state := StateSuccess
	if c.Conclusion == report.ConclusionFailure {
		state = StateFailure
	}
	var first *Status
	for _, name := range report.Names(res, report.PolicyGate) {
		s := Status{Context: name, State: state, Description: report.OneLine(c.Title, MaxDescription)}
		if first == nil {
			first = &s
		}
		if _, err := r.publish(ctx, res.HeadSHA, cur, s); err != nil {
			return first, c.Annotations, err
		}
	}
	log.Info("policy change checked", "state", state, "title", c.Title, "files", pc.Changed)
	r.summary.policy(res, c)
	return first, c.Annotations, nil
}
