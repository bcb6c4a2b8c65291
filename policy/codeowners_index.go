package policy

import (
	"fmt"
	"slices"
	"strings"
)

// codeownersIndex finds the last rule matching a path without trying every
// rule. The classes, most common first in real files:
//
//   - floating one-segment patterns are looked up per path component:
//     literal names (`Makefile`, `apps/`) in a map, `*SUFFIX` (`*.go`) and
//     `PREFIX*` (`Dockerfile*`) in maps probed only with the suffix and
//     prefix lengths that occur;
//   - every other pattern goes into a trie over its segments, anchored
//     patterns in one walked from the root of the path, floating ones in
//     one walked from every depth. Edges are literal (a map), `*` (one
//     child) or other globs (a short list), so `/apps/*/deploy/` costs a
//     few steps. A pattern ending at a node needs no further check; one
//     with a `**` past its prefix waits at the prefix's node and is tried
//     in full when a path reaches it;
//   - patterns matching everything (`**`) are tried for every path.
//
// Every list holds rule indexes in ascending order, so a scan from the back
// stops at the first match or at the best match found so far.
type codeownersIndex struct {
	anchored   segNode
	floating   segNode
	base       map[string][]ruleRef
	suffix     map[string][]ruleRef
	suffixLens []int
	prefix     map[string][]ruleRef
	prefixLens []int
	scan       []int32
}

// ruleRef is a rule whose segments are all matched once its key is found;
// only its tail remains to check against what follows.
type ruleRef struct {
	rule int32
	tail tailMode
}

// fits reports whether the tail allows rest more components.
func (r ruleRef) fits(rest int) bool {
	switch r.tail {
	case tailNone:
		return rest == 0
	case tailSome:
		return rest > 0
	}
	return true
}

// segNode is a node of a pattern-segment trie.
type segNode struct {
	lit   map[string]*segNode
	star  *segNode
	globs []globEdge
	// exact are rules whose every segment leads here.
	exact []ruleRef
	// check are rules whose segments before their first `**` lead here.
	check []int32
}

// globEdge is a trie edge for a glob segment other than a lone `*`.
type globEdge struct {
	key  string
	toks []globToken
	next *segNode
}

// edge returns the child for segment s, adding it when missing.
func (n *segNode) edge(s segment) *segNode {
	switch s.kind {
	case segLiteral:
		if n.lit == nil {
			n.lit = make(map[string]*segNode)
		}
		c := n.lit[s.lit]
		if c == nil {
			c = &segNode{}
			n.lit[s.lit] = c
		}
		return c
	case segStar:
		if n.star == nil {
			n.star = &segNode{}
		}
		return n.star
	}
	key := globKey(s.toks)
	for _, g := range n.globs {
		if g.key == key {
			return g.next
		}
	}
	c := &segNode{}
	n.globs = append(n.globs, globEdge{key: key, toks: s.toks, next: c})
	return c
}

// globKey identifies a glob so that rules sharing it share the edge.
func globKey(toks []globToken) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tokStar:
			b.WriteString("*")
		case tokOne:
			b.WriteString("?")
		default:
			fmt.Fprintf(&b, "%d:%s", len(t.lit), t.lit)
		}
	}
	return b.String()
}

// insert files rule i under its segments.
func (n *segNode) insert(i int32, p *PathPattern) {
	for _, s := range p.segs {
		if s.kind == segDoubleStar {
			n.check = append(n.check, i)
			return
		}
		n = n.edge(s)
	}
	n.exact = append(n.exact, ruleRef{rule: i, tail: p.tail})
}

// buildCodeownersIndex files every pattern; patterns[i] is rule i.
func buildCodeownersIndex(patterns []*PathPattern) codeownersIndex {
	ix := codeownersIndex{
		base:   make(map[string][]ruleRef),
		suffix: make(map[string][]ruleRef),
		prefix: make(map[string][]ruleRef),
	}
	for i, p := range patterns {
		ix.add(int32(i), p)
	}
	slices.Sort(ix.suffixLens)
	ix.suffixLens = slices.Compact(ix.suffixLens)
	slices.Sort(ix.prefixLens)
	ix.prefixLens = slices.Compact(ix.prefixLens)
	return ix
}

func (ix *codeownersIndex) add(i int32, p *PathPattern) {
	ref := ruleRef{rule: i, tail: p.tail}
	switch {
	case len(p.segs) == 0:
		ix.scan = append(ix.scan, i)
	case !p.floating:
		ix.anchored.insert(i, p)
	case len(p.segs) == 1 && p.segs[0].kind == segLiteral:
		ix.base[p.segs[0].lit] = append(ix.base[p.segs[0].lit], ref)
	case len(p.segs) == 1 && isGlob2(p.segs[0], tokStar, tokLit):
		lit := p.segs[0].toks[1].lit
		ix.suffix[lit] = append(ix.suffix[lit], ref)
		ix.suffixLens = append(ix.suffixLens, len(lit))
	case len(p.segs) == 1 && isGlob2(p.segs[0], tokLit, tokStar):
		lit := p.segs[0].toks[0].lit
		ix.prefix[lit] = append(ix.prefix[lit], ref)
		ix.prefixLens = append(ix.prefixLens, len(lit))
	default:
		ix.floating.insert(i, p)
	}
}

// isGlob2 reports whether s is a two-token glob of the given kinds.
func isGlob2(s segment, a, b tokKind) bool {
	return s.kind == segGlob && len(s.toks) == 2 && s.toks[0].kind == a && s.toks[1].kind == b
}

// lookup returns the index of the last rule matching the path components,
// or -1.
func (ix *codeownersIndex) lookup(patterns []*PathPattern, comps []string) int {
	if len(comps) == 0 {
		return -1
	}
	best := int32(-1)
	n := len(comps)
	for k, c := range comps {
		rest := n - k - 1
		if refs, ok := ix.base[c]; ok {
			best = take(refs, rest, best)
		}
		for _, l := range ix.suffixLens {
			if l > len(c) {
				break
			}
			if refs, ok := ix.suffix[c[len(c)-l:]]; ok {
				best = take(refs, rest, best)
			}
		}
		for _, l := range ix.prefixLens {
			if l > len(c) {
				break
			}
			if refs, ok := ix.prefix[c[:l]]; ok {
				best = take(refs, rest, best)
			}
		}
	}
	var bufA, bufB, bufT [16]*segNode
	tried := bufT[:0]
	best, tried = walk(&ix.anchored, patterns, comps, 0, best, bufA[:0], bufB[:0], tried)
	if !ix.floating.empty() {
		for k := range comps {
			best, tried = walk(&ix.floating, patterns, comps, k, best, bufA[:0], bufB[:0], tried)
		}
	}
	return int(try(ix.scan, patterns, comps, best))
}

func (n *segNode) empty() bool {
	return n.lit == nil && n.star == nil && n.globs == nil && n.exact == nil && n.check == nil
}

// take returns the newest rule of refs newer than best whose tail allows
// rest more components, else best.
func take(refs []ruleRef, rest int, best int32) int32 {
	for j := len(refs) - 1; j >= 0 && refs[j].rule > best; j-- {
		if refs[j].fits(rest) {
			return refs[j].rule
		}
	}
	return best
}

// try returns the newest rule of list newer than best whose whole pattern
// matches, else best.
func try(list []int32, patterns []*PathPattern, comps []string, best int32) int32 {
	for j := len(list) - 1; j >= 0 && list[j] > best; j-- {
		if patterns[list[j]].matchComponents(comps) {
			return list[j]
		}
	}
	return best
}

// walk follows the trie along the components from start, keeping every
// node the path so far reaches (a tree, so none is reached twice), and
// returns the best rule found. cur and next are scratch space. tried are
// the nodes whose check rules were tried already: a full match does not
// depend on where the walk started, so each is tried once per lookup.
func walk(root *segNode, patterns []*PathPattern, comps []string, start int, best int32, cur, next, tried []*segNode) (int32, []*segNode) {
	n := len(comps)
	cur = append(cur, root)
	for k := start; k < n && len(cur) > 0; k++ {
		c := comps[k]
		next = next[:0]
		for _, nd := range cur {
			if ch := nd.lit[c]; ch != nil {
				next = append(next, ch)
			}
			if nd.star != nil {
				next = append(next, nd.star)
			}
			for i := range nd.globs {
				if globMatch(nd.globs[i].toks, c) {
					next = append(next, nd.globs[i].next)
				}
			}
		}
		rest := n - k - 1
		for _, nd := range next {
			best = take(nd.exact, rest, best)
			if len(nd.check) > 0 && nd.check[len(nd.check)-1] > best && !slices.Contains(tried, nd) {
				tried = append(tried, nd)
				best = try(nd.check, patterns, comps, best)
			}
		}
		cur, next = next, cur
	}
	return best, tried
}
