package facts

import (
	"time"

	"github.com/zgate-dev/zgate/policy"
)

// Recheck decides, from a fresh read taken immediately before a Z, whether
// the gate named gate that opened on first still holds: same head SHA, pull
// request still open, policy still loadable, and policy.Evaluate at now
// still finds the gate successful. It returns the gate to act on, or nil
// and why not (a push, a dismissed review or a closed window in between
// means re-evaluate, never act). The App and the Action both call it so
// they act under the same rule.
func Recheck(first, fresh *Result, gate string, now time.Time) (*policy.Gate, string) {
	switch {
	case fresh.HeadSHA != first.HeadSHA:
		return nil, "head moved before Z"
	case fresh.PR.GetState() != "open":
		return nil, "pull request closed before Z"
	case fresh.Policy == nil:
		return nil, "policy unloadable before Z"
	}
	d := policy.Evaluate(fresh.Policy, &fresh.Facts, now)
	var g *policy.Gate
	for i := range fresh.Policy.Gates {
		if fresh.Policy.Gates[i].Name == gate {
			g = &fresh.Policy.Gates[i]
		}
	}
	held := false
	for _, gd := range d.Gates {
		held = held || gd.Name == gate && gd.State == policy.StateSuccess
	}
	if g == nil || !held {
		return nil, "gate no longer open on a fresh read"
	}
	return g, ""
}
