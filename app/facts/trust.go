package facts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/policy"
)

// A dispatch Z runs a workflow (or sends a repository_dispatch) as zgate,
// an actor deploy workflows are written to trust. Its gate comes from the
// policy of the pull request's base branch, and anyone who can push a
// branch writes that branch's policy: a pull request into a branch the
// attacker created, whose policy dispatches the production deploy with no
// controls, would make zgate deploy. So a dispatch is trusted only from
// the policy of the default branch or of a protected branch, whose
// changes went through review. A merge needs no such rule: merging into an
// unprotected branch gives nothing its pushers do not already have.

// gatherBaseTrust sets res.BaseTrusted, reading the base branch's
// protection only when a gate of the policy dispatches and the base is not
// the default branch. An unreadable answer leaves it untrusted.
func (g *Gatherer) gatherBaseTrust(ctx context.Context, gh *github.Client, owner, repo string, res *Result) {
	def := res.PR.GetBase().GetRepo().GetDefaultBranch()
	if def != "" && res.BaseRef == def {
		res.BaseTrusted = true
		return
	}
	if !dispatches(g.needs(res)) {
		return
	}
	b, _, err := gh.Repositories.GetBranch(ctx, owner, repo, res.BaseRef, 0)
	if err != nil {
		g.logger().WarnContext(ctx, "base branch protection unreadable: no dispatch from its policy", "base", res.BaseRef, "err", err)
		res.BaseTrustReason = fmt.Sprintf("whether branch %s is protected could not be read (%v)", res.BaseRef, err)
		return
	}
	res.BaseTrusted = b.GetProtected()
	if !res.BaseTrusted {
		res.BaseTrustReason = fmt.Sprintf("branch %s is not protected, so anyone who can push to it wrote its policy", res.BaseRef)
	}
}

// dispatches reports whether a gate of p dispatches.
func dispatches(p *policy.Policy) bool {
	for i := range p.Gates {
		if isDispatch(p.Gates[i].Then.Kind()) {
			return true
		}
	}
	return false
}

func isDispatch(k policy.ActionKind) bool {
	return k == policy.ActionDispatch || k == policy.ActionRepositoryDispatch
}

// Evaluate is policy.Evaluate over res at now, with the rule the policy
// cannot know: a gate that would dispatch under the policy of an untrusted
// base (res.BaseTrusted false) fails instead, saying why. The App and the
// Action decide, recheck and act through it.
func Evaluate(res *Result, now time.Time) policy.Decision {
	d := policy.Evaluate(res.Policy, &res.Facts, now)
	if res.BaseTrusted {
		return d
	}
	for i := range d.Gates {
		gd := &d.Gates[i]
		if gd.State != policy.StateSuccess || !isDispatch(gd.Action) {
			continue
		}
		why := res.BaseTrustReason
		if why == "" {
			why = fmt.Sprintf("branch %s is neither the default branch nor protected", res.BaseRef)
		}
		gd.State = policy.StateFailure
		gd.Summary = "the controls hold, but zgate dispatches only under the policy of the default branch or a protected branch: " + why
		gd.Missing = append(gd.Missing, "protect branch "+res.BaseRef+" (requiring zgate's check), or move the gate into the default branch's policy")
	}
	return d
}
