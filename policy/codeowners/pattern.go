package codeowners

import (
	"fmt"
	"slices"
	"strings"
)

// Pattern is a compiled gitignore-style pattern as CODEOWNERS and
// `if.paths` use it. The zero value matches nothing; build one with
// [CompilePattern]. A Pattern is immutable and safe for concurrent
// use.
//
// The semantics are GitHub's for CODEOWNERS:
//
//   - `*` matches any run of characters but `/`, `?` one character but `/`;
//     `**` as a whole segment matches any number of directories.
//   - A `/` at the start or in the middle anchors the pattern at the
//     repository root; a pattern without one (or whose only `/` is the
//     trailing one) matches at any depth.
//   - A pattern matching a directory matches everything below it (`apps`
//     matches `apps/x/y`); a trailing `/` matches only a directory's
//     contents (`apps/` does not match a file named `apps`); `dir/**` is
//     `dir/`.
//   - A pattern whose last segment is a lone `*` matches files directly in
//     that directory only: `docs/*` matches `docs/a` but not `docs/a/b`.
//   - `\` escapes the next character (`\#`, `\ `, `\*`). Negation (`!`) and
//     character ranges (`[ ]`) are not supported and are rejected.
//   - Matching is case-sensitive.
type Pattern struct {
	raw string
	// floating is set when the pattern may start at any depth (an implicit
	// leading `**`).
	floating bool
	// segs are the pattern's segments without the implicit leading `**`.
	segs []segment
	tail tailMode
	// elems is the whole pattern as one sequence: the implicit leading
	// `**`, segs, then the tail's elements.
	elems []segment
}

// tailMode says how many path components may follow those the segments
// matched.
type tailMode uint8

const (
	tailNone tailMode = iota // the pattern matches the whole path (`docs/*`)
	tailAny                  // a file or a directory: zero or more may follow
	tailSome                 // only a directory's contents: one or more follow (`apps/`)
)

// PatternError is why [CompilePattern] rejected a pattern. It wraps
// [ErrInvalid].
type PatternError struct {
	Pattern string
	// Offset is the 0-based byte offset in Pattern of the offending
	// character.
	Offset int
	Msg    string
}

// Error describes the problem with the pattern.
func (e *PatternError) Error() string {
	return fmt.Sprintf("invalid path pattern %q: %s", e.Pattern, e.Msg)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *PatternError) Unwrap() error { return ErrInvalid }

// CompilePattern compiles a gitignore-style pattern with GitHub's
// CODEOWNERS semantics (see [Pattern]). A bad pattern gets a
// *[PatternError].
func CompilePattern(pattern string) (*Pattern, error) {
	var cp compiler
	p, err := cp.compile(pattern)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// compiler compiles patterns. Its scratch space is reused from one pattern
// to the next, and what a pattern keeps (its segments and glob tokens) is
// carved from shared arrays (see [slab]), so that [Parse] allocates a few
// arrays for a whole file rather than several per line. The zero value
// compiles one pattern with allocations of exactly the size it needs.
type compiler struct {
	raws []rawSegment // scratch: the current pattern's segments
	toks []globToken  // scratch: their tokens, raws[i].toks indexing it
	segs []segment    // scratch: the compiled segments
	lit  strings.Builder
	// What the compiled patterns keep is carved from these.
	keptSegs slab[segment]
	keptToks slab[globToken]
}

// compile is [CompilePattern] with c's scratch space and slabs.
func (c *compiler) compile(pattern string) (Pattern, error) {
	fail := func(off int, format string, args ...any) (Pattern, error) {
		return Pattern{}, &PatternError{Pattern: pattern, Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
	if pattern == "" {
		return fail(0, "empty pattern")
	}
	if pattern[0] == '!' {
		return fail(0, "negation (!) is not supported in CODEOWNERS patterns")
	}
	if err := c.splitSegments(pattern); err != nil {
		return Pattern{}, err
	}
	raws := c.raws
	anchored, dirOnly := false, false
	if raws[0].empty() {
		anchored = true
		raws = raws[1:]
	}
	if len(raws) > 0 && raws[len(raws)-1].empty() {
		dirOnly = true
		raws = raws[:len(raws)-1]
	}
	if len(raws) == 0 {
		return fail(0, "pattern matches nothing")
	}
	for _, r := range raws {
		if r.empty() {
			return fail(r.offset, "empty path segment (//)")
		}
	}
	if len(raws) > 1 {
		anchored = true // a slash in the middle anchors, as in gitignore
	}
	segs := c.segs[:0]
	for _, r := range raws {
		s := c.compileSegment(r)
		if s.kind == segDoubleStar && len(segs) > 0 && segs[len(segs)-1].kind == segDoubleStar {
			continue // `**/**` is `**`
		}
		segs = append(segs, s)
	}
	c.segs = segs
	p := Pattern{raw: pattern, floating: !anchored}
	if len(segs) > 1 && segs[len(segs)-1].kind == segDoubleStar {
		// `dir/**` matches everything inside dir, not dir itself.
		segs = segs[:len(segs)-1]
		dirOnly = true
	}
	if segs[0].kind == segDoubleStar {
		// A leading `**/` matches at any depth; a lone `**` (or `**/`)
		// matches everything.
		p.floating = true
		segs = segs[1:]
		if len(segs) == 0 {
			dirOnly = false
		}
	}
	switch {
	case dirOnly:
		p.tail = tailSome
	case len(segs) > 0 && segs[len(segs)-1].kind == segStar:
		p.tail = tailNone
	default:
		p.tail = tailAny
	}
	p.segs, p.elems = c.layout(segs, p.floating, p.tail)
	return p, nil
}

// layout lays the pattern out as one sequence for [matchElems]: the
// implicit leading `**` of a floating pattern, segs, then the tail's
// elements. segs is returned as the part of that sequence holding them,
// so that a pattern costs one array.
func (c *compiler) layout(segs []segment, floating bool, tail tailMode) (kept, elems []segment) {
	n := len(segs) + 2
	if floating {
		n++
	}
	elems = c.keptSegs.carve(n)[:0]
	if floating {
		elems = append(elems, segment{kind: segDoubleStar})
	}
	start := len(elems)
	elems = append(elems, segs...)
	end := len(elems)
	switch tail {
	case tailAny:
		elems = append(elems, segment{kind: segDoubleStar})
	case tailSome:
		elems = append(elems, segment{kind: segStar}, segment{kind: segDoubleStar})
	}
	// Collapse runs of `**`, which the sequence matcher treats alike. segs
	// neither starts nor ends with `**` (compile strips both), so a run can
	// only form when segs is empty.
	out := elems[:0]
	for _, e := range elems {
		if e.kind == segDoubleStar && len(out) > 0 && out[len(out)-1].kind == segDoubleStar {
			continue
		}
		out = append(out, e)
	}
	if len(out) != len(elems) {
		return slices.Clone(segs), out
	}
	return elems[start:end:end], out
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.raw }

// Match reports whether the repository-relative path (no leading slash)
// matches. Empty components (a leading, doubled or trailing slash) are
// ignored; an empty path matches nothing.
func (p *Pattern) Match(path string) bool {
	if p == nil || len(p.elems) == 0 {
		return false
	}
	var buf [32]string
	comps := appendComponents(buf[:0], path)
	return p.matchComponents(comps)
}

// matchComponents matches a path already split by [appendComponents].
func (p *Pattern) matchComponents(comps []string) bool {
	if len(comps) == 0 {
		return false
	}
	return matchElems(p.elems, comps)
}

// appendComponents appends path's non-empty `/`-separated components to
// dst.
func appendComponents(dst []string, path string) []string {
	for path != "" {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return append(dst, path)
		}
		if i > 0 {
			dst = append(dst, path[:i])
		}
		path = path[i+1:]
	}
	return dst
}

// matchElems reports whether the sequence of segments matches the whole
// component list. `**` matches any run of components and every other
// segment exactly one, so the greedy star-backtracking of wildcard matching
// is exact and takes at most O(len(elems)*len(comps)) steps.
func matchElems(elems []segment, comps []string) bool {
	ei, ci := 0, 0
	starE, starC := -1, 0
	for {
		if ei < len(elems) {
			e := &elems[ei]
			if e.kind == segDoubleStar {
				starE, starC = ei, ci
				ei++
				continue
			}
			if ci < len(comps) && e.matchComponent(comps[ci]) {
				ei++
				ci++
				continue
			}
		} else if ci == len(comps) {
			return true
		}
		if starE < 0 || starC >= len(comps) {
			return false
		}
		starC++
		ei, ci = starE+1, starC
	}
}
