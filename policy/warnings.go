package policy

import (
	"fmt"
	"path"
	"strings"
)

// Warnings returns what is valid in p but probably not meant, as problems
// `zgate validate` prints with "warning:" (they never stop a policy from
// loading). Today that is one family: two gates that can apply to the
// same pull request with different merge settings. A merge Z needs every
// applicable gate of the pull request ([MergeWaitsFor]), so:
//
//   - two merge gates with different methods: the method is that of
//     whichever gate's Z runs first;
//   - a merge gate and a gate that does not merge (dispatch,
//     repository_dispatch, or no Z): the merge also waits for the other
//     gate to hold.
//
// "Can apply" is conservative: only if.base lists that provably match no
// common branch make two gates disjoint (see basesDisjoint); if.paths and
// if.labels never do, since one pull request can change many files and
// carry many labels. Each warning is reported at the later gate's line
// (column 0: the position of the gate is known by line only).
func Warnings(p *Policy) []Problem {
	if p == nil {
		return nil
	}
	var out []Problem
	for j := range p.Gates {
		b := &p.Gates[j]
		for i := range p.Gates[:j] {
			a := &p.Gates[i]
			// A deployment gate never applies to a pull request.
			if basesDisjoint(a.If.Base, b.If.Base) || len(a.If.Environment) > 0 || len(b.If.Environment) > 0 {
				continue
			}
			if msg := mergeConflict(a, b); msg != "" {
				out = append(out, Problem{File: p.File, Line: b.Line, Msg: "warning: " + msg})
			}
		}
	}
	return out
}

// mergeConflict describes how a and b, both applicable, merge differently;
// "" when they do not.
func mergeConflict(a, b *Gate) string {
	am, bm := a.Then.Merge != nil, b.Then.Merge != nil
	switch {
	case am && bm:
		if ma, mb := methodOf(a.Then.Merge), methodOf(b.Then.Merge); ma != mb {
			return fmt.Sprintf("gates %q (line %d) and %q can apply to the same pull request and merge with different methods (%s, %s): the method is that of whichever gate's Z runs first; use one method, or if.base lists that match no common branch",
				a.Name, a.Line, b.Name, ma, mb)
		}
	case am != bm:
		m, other := a, b
		if bm {
			m, other = b, a
		}
		return fmt.Sprintf("gate %q merges and gate %q, which can apply to the same pull request, does not (%s): a merge needs every applicable gate, so %q also waits for %q to hold; if that is not meant, keep such changes in separate pull requests or give the gates if.base lists that match no common branch",
			m.Name, other.Name, other.Then.Kind(), m.Name, other.Name)
	}
	return ""
}

func methodOf(m *MergeAction) string {
	if m.Method == "" {
		return "merge"
	}
	return m.Method
}

// basesDisjoint reports whether no branch name can match both if.base
// lists; an empty list matches every branch. It answers true only when it
// can prove it, pattern pair by pattern pair (globsDisjoint).
func basesDisjoint(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for _, x := range a {
		for _, y := range b {
			if !globsDisjoint(x, y) {
				return false
			}
		}
	}
	return true
}

// globMeta are the characters with a meaning in path.Match patterns.
const globMeta = `*?[\`

// globsDisjoint reports whether no name provably matches both path.Match
// patterns x and y: two literals that differ; a literal the other pattern
// does not match; or two patterns whose literal prefixes (before the first
// special character) or, without classes and escapes, literal suffixes
// (after the last wildcard) cannot both hold. Anything else may overlap.
func globsDisjoint(x, y string) bool {
	xl, yl := !strings.ContainsAny(x, globMeta), !strings.ContainsAny(y, globMeta)
	switch {
	case xl && yl:
		return x != y
	case xl:
		ok, err := path.Match(y, x)
		return err == nil && !ok
	case yl:
		ok, err := path.Match(x, y)
		return err == nil && !ok
	}
	px, py := x[:strings.IndexAny(x, globMeta)], y[:strings.IndexAny(y, globMeta)]
	if !strings.HasPrefix(px, py) && !strings.HasPrefix(py, px) {
		return true
	}
	if strings.ContainsAny(x, `[\`) || strings.ContainsAny(y, `[\`) {
		return false
	}
	sx, sy := x[strings.LastIndexAny(x, "*?")+1:], y[strings.LastIndexAny(y, "*?")+1:]
	return !strings.HasSuffix(sx, sy) && !strings.HasSuffix(sy, sx)
}
