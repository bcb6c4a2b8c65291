package engine

import (
	"context"
	"errors"
	"log/slog"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// gatherForReport gathers the facts an evaluation reports from. It may
// start from cheap facts (facts.Hints: what webhooks carried), but a gate
// may turn green or be skipped, and Z may run, only from facts read from
// GitHub: unless everything the cheap facts would report is pending or
// failing, they are thrown away and the pull request is gathered again as
// without hints — every answer read from GitHub, the list memo used only
// while the pull request and its files answer as when it was filled, as
// green checks were always reported — before anything is reported or
// done; Z reads everything again (facts.Fresh). Stale hints (an old or
// lost delivery, a push or retarget since) thus delay a decision but
// never open a gate.
func (e *Engine) gatherForReport(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey) (*facts.Result, error) {
	res, err := e.gather(facts.Hinted(ctx), gh, key)
	switch {
	case errors.Is(err, facts.ErrHeadMoved):
		// The delivered head is not GitHub's: read it all.
		log.Debug("hinted head moved; reading the pull request afresh", "err", err)
	case err != nil:
		return nil, err
	case !res.Cheap:
		return res, nil
	default:
		why := e.cheapBlocks(res)
		if why == "" {
			return res, nil
		}
		log.Debug("cheap facts would not only hold the pull request; reading it afresh", "why", why)
	}
	return e.gather(ctx, gh, key)
}

// cheapBlocks returns "" when a report from res (cheap facts) would say
// only pending or failure, otherwise why not.
func (e *Engine) cheapBlocks(res *facts.Result) string {
	switch {
	case res.PR.GetState() != "open":
		return "not open"
	case res.Policy == nil:
		return "no usable policy"
	case e.cfg.PolicyChanges != nil && facts.TouchesRules(res):
		// The `zgate/policy` check can pass.
		return "changes the rules"
	}
	dec := facts.Evaluate(res, e.now())
	if len(dec.Gates) == 0 {
		return "no gates"
	}
	for _, gd := range dec.Gates {
		if gd.State != policy.StatePending && gd.State != policy.StateFailure {
			return "gate " + gd.Name + " " + string(gd.State)
		}
	}
	return ""
}
