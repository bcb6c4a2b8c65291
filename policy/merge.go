package policy

// A merge ends every gate of the pull request at once: once merged, no
// other gate can still be asked for consent. So a merge Z runs only when
// every gate that applies to the pull request holds; gates that do not
// apply (skipped) do not block. A dispatch Z stays per gate: it starts
// something beside the pull request and leaves the other gates open.

// MergeWaitsFor returns the gates a merge by gate must wait for: when gate
// holds and its Z is a merge, every other gate of d that neither holds nor
// was skipped (pending, failed, or in error), in the policy's order. It
// returns nil for a gate that does not merge, and for a merge gate that
// may run its Z.
func MergeWaitsFor(d Decision, gate string) []GateDecision {
	var merges bool
	for _, gd := range d.Gates {
		if gd.Name == gate {
			merges = gd.Action == ActionMerge
		}
	}
	if !merges {
		return nil
	}
	var out []GateDecision
	for _, gd := range d.Gates {
		if gd.Name != gate && gd.State != StateSuccess && gd.State != StateSkipped {
			out = append(out, gd)
		}
	}
	return out
}
