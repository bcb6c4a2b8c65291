package facts

import (
	"time"

	"github.com/zgate-dev/zgate/policy"
)

// Recheck decides, from a fresh read taken immediately before a Z, whether
// the gate named gate that opened on first still holds: same head SHA, pull
// request still open, same base branch, the same policy (a retarget, or a
// push to the base that changed the policy, means the check that was
// published was decided under other rules), and policy.Evaluate at now
// still finds the gate successful and, for a merge, every other applicable
// gate too ([policy.MergeWaitsFor]). It returns the gate to act on, or nil
// and why not (a push, a retarget, a dismissed review or a closed window
// in between means re-evaluate, never act). The App and the Action both
// call it so they act under the same rule.
//
// The merge call itself guards only the head SHA: a retarget after this
// read still reaches GitHub, and only branch protection of the new base
// (requiring its per-base check) stops it.
func Recheck(first, fresh *Result, gate string, now time.Time) (*policy.Gate, string) {
	switch {
	case fresh.HeadSHA != first.HeadSHA:
		return nil, "head moved before Z"
	case fresh.PR.GetState() != "open":
		return nil, "pull request closed before Z"
	case fresh.BaseRef != first.BaseRef:
		return nil, "base branch changed before Z (" + first.BaseRef + " -> " + fresh.BaseRef + ")"
	case fresh.Policy == nil:
		return nil, "policy unloadable before Z"
	case fresh.PolicyDigest != first.PolicyDigest:
		return nil, "policy on the base branch changed before Z"
	}
	d := Evaluate(fresh, now)
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
	if waits := policy.MergeWaitsFor(d, gate); len(waits) > 0 {
		return nil, "the merge waits for gate " + waits[0].Name + " (" + string(waits[0].State) + ") on a fresh read"
	}
	return g, ""
}
