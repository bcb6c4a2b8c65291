package codeowners

import (
	"fmt"
	"slices"
	"strings"
)

// ruleIndex finds the last rule matching a path without trying every
// rule. The classes, most common first in real files:
//
//   - floating patterns are looked up per path component: one-segment
//     literal names (`Makefile`, `apps/`) in a map, `*.ext` by probing the
//     component's suffixes at each dot, other `*SUFFIX` and `PREFIX*`
//     (`Dockerfile*`) in maps probed only with the lengths that occur;
//   - every other pattern goes into a trie over its segments: anchored
//     patterns in one walked from the root of the path, floating ones in
//     one walked from every component (those starting with a literal
//     segment hang off the name map, so each component costs one map
//     probe). Edges are literal (a map), `*` (one child) or other globs (a
//     short list), so `/apps/*/deploy/` costs a few steps. A pattern
//     ending at a node needs no further check; one with a `**` past its
//     prefix waits at the prefix's node and is tried in full when a path
//     reaches it;
//   - patterns matching everything (`**`) are tried for every path.
//
// Every list holds rule indexes in ascending order, so a scan from the back
// stops at the first match or at the best match found so far.
type ruleIndex struct {
	anchored segNode
	// floating holds floating patterns whose first segment is a wildcard.
	floating   segNode
	names      map[string]*nameEntry
	dotSuffix  map[string][]ruleRef
	suffix     map[string][]ruleRef
	suffixLens []int
	prefix     map[string][]ruleRef
	prefixLens []int
	scan       []int32
}

// nameEntry is what a path component equal to a name leads to.
type nameEntry struct {
	// refs are the floating one-segment patterns equal to the name.
	refs []ruleRef
	// next holds the floating patterns whose first segment is the name.
	next *segNode
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

// nodeSlab hands out the nodes and first rule references of an index
// being built from a few shared arrays rather than one allocation each.
type nodeSlab struct {
	nodes slab[segNode]
	refs  slab[ruleRef]
}

func (a *nodeSlab) node() *segNode {
	return &a.nodes.carve(1)[0]
}

// appendRef appends r to refs, giving a first reference a slot of the
// slab (a later one grows the slice as append does).
func (a *nodeSlab) appendRef(refs []ruleRef, r ruleRef) []ruleRef {
	if refs == nil {
		refs = a.refs.carve(1)[:0]
	}
	return append(refs, r)
}

// edge returns the child for segment s, adding it when missing.
func (n *segNode) edge(s segment, a *nodeSlab) *segNode {
	switch s.kind {
	case segLiteral:
		if n.lit == nil {
			n.lit = make(map[string]*segNode)
		}
		c := n.lit[s.lit]
		if c == nil {
			c = a.node()
			n.lit[s.lit] = c
		}
		return c
	case segStar:
		if n.star == nil {
			n.star = a.node()
		}
		return n.star
	}
	key := globKey(s.toks)
	for _, g := range n.globs {
		if g.key == key {
			return g.next
		}
	}
	c := a.node()
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

// insert files rule i, whose tail is tail, under segs.
func (n *segNode) insert(i int32, segs []segment, tail tailMode, a *nodeSlab) {
	for _, s := range segs {
		if s.kind == segDoubleStar {
			n.check = append(n.check, i)
			return
		}
		n = n.edge(s, a)
	}
	n.exact = a.appendRef(n.exact, ruleRef{rule: i, tail: tail})
}

// children appends the nodes that component c leads to from n.
func (n *segNode) children(c string, dst []*segNode) []*segNode {
	if ch := n.lit[c]; ch != nil {
		dst = append(dst, ch)
	}
	if n.star != nil {
		dst = append(dst, n.star)
	}
	for i := range n.globs {
		if globMatch(n.globs[i].toks, c) {
			dst = append(dst, n.globs[i].next)
		}
	}
	return dst
}

// buildIndex files every pattern; patterns[i] is rule i.
func buildIndex(patterns []Pattern) ruleIndex {
	ix := ruleIndex{
		names:     make(map[string]*nameEntry),
		dotSuffix: make(map[string][]ruleRef),
		suffix:    make(map[string][]ruleRef),
		prefix:    make(map[string][]ruleRef),
	}
	a := nodeSlab{nodes: slab[segNode]{grow: true}, refs: slab[ruleRef]{grow: true}}
	for i := range patterns {
		ix.add(int32(i), &patterns[i], &a)
	}
	slices.Sort(ix.suffixLens)
	ix.suffixLens = slices.Compact(ix.suffixLens)
	slices.Sort(ix.prefixLens)
	ix.prefixLens = slices.Compact(ix.prefixLens)
	return ix
}

func (ix *ruleIndex) name(lit string) *nameEntry {
	e := ix.names[lit]
	if e == nil {
		e = &nameEntry{}
		ix.names[lit] = e
	}
	return e
}

func (ix *ruleIndex) add(i int32, p *Pattern, a *nodeSlab) {
	ref := ruleRef{rule: i, tail: p.tail}
	switch {
	case len(p.segs) == 0:
		ix.scan = append(ix.scan, i)
	case !p.floating:
		ix.anchored.insert(i, p.segs, p.tail, a)
	case len(p.segs) == 1 && p.segs[0].kind == segLiteral:
		e := ix.name(p.segs[0].lit)
		e.refs = append(e.refs, ref)
	case p.segs[0].kind == segLiteral:
		e := ix.name(p.segs[0].lit)
		if e.next == nil {
			e.next = a.node()
		}
		e.next.insert(i, p.segs[1:], p.tail, a)
	case len(p.segs) == 1 && isGlob2(p.segs[0], tokStar, tokLit) && strings.HasPrefix(p.segs[0].toks[1].lit, "."):
		lit := p.segs[0].toks[1].lit
		ix.dotSuffix[lit] = append(ix.dotSuffix[lit], ref)
	case len(p.segs) == 1 && isGlob2(p.segs[0], tokStar, tokLit):
		lit := p.segs[0].toks[1].lit
		ix.suffix[lit] = append(ix.suffix[lit], ref)
		ix.suffixLens = append(ix.suffixLens, len(lit))
	case len(p.segs) == 1 && isGlob2(p.segs[0], tokLit, tokStar):
		lit := p.segs[0].toks[0].lit
		ix.prefix[lit] = append(ix.prefix[lit], ref)
		ix.prefixLens = append(ix.prefixLens, len(lit))
	default:
		ix.floating.insert(i, p.segs, p.tail, a)
	}
}

// isGlob2 reports whether s is a two-token glob of the given kinds.
func isGlob2(s segment, a, b tokKind) bool {
	return s.kind == segGlob && len(s.toks) == 2 && s.toks[0].kind == a && s.toks[1].kind == b
}

// lookup returns the index of the last rule matching the path components,
// or -1.
func (ix *ruleIndex) lookup(patterns []Pattern, comps []string) int {
	if len(comps) == 0 {
		return -1
	}
	var bufA, bufB, bufT [16]*segNode
	w := walk{patterns: patterns, comps: comps, best: -1}
	tried := bufT[:0]
	n := len(comps)
	for k, c := range comps {
		rest := n - k - 1
		e := ix.names[c]
		if e != nil {
			w.best = take(e.refs, rest, w.best)
		}
		if len(ix.dotSuffix) > 0 {
			for i := strings.IndexByte(c, '.'); i >= 0; {
				if refs, ok := ix.dotSuffix[c[i:]]; ok {
					w.best = take(refs, rest, w.best)
				}
				j := strings.IndexByte(c[i+1:], '.')
				if j < 0 {
					break
				}
				i += 1 + j
			}
		}
		for _, l := range ix.suffixLens {
			if l > len(c) {
				break
			}
			if refs, ok := ix.suffix[c[len(c)-l:]]; ok {
				w.best = take(refs, rest, w.best)
			}
		}
		for _, l := range ix.prefixLens {
			if l > len(c) {
				break
			}
			if refs, ok := ix.prefix[c[:l]]; ok {
				w.best = take(refs, rest, w.best)
			}
		}
		// The floating trie, starting at this component.
		first := bufA[:0]
		if e != nil && e.next != nil {
			first = append(first, e.next)
		}
		first = ix.floating.children(c, first)
		if len(first) > 0 {
			tried = w.visit(first, rest, tried)
			tried = w.descend(first, k+1, bufB[:0], tried)
		}
	}
	root := append(bufA[:0], &ix.anchored)
	w.descend(root, 0, bufB[:0], tried)
	return int(try(ix.scan, patterns, comps, w.best))
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
func try(list []int32, patterns []Pattern, comps []string, best int32) int32 {
	for j := len(list) - 1; j >= 0 && list[j] > best; j-- {
		if patterns[list[j]].matchComponents(comps) {
			return list[j]
		}
	}
	return best
}

// walk is the state of one lookup's trie walks. Scratch slices are passed
// and returned rather than kept here, so that they stay on the stack.
type walk struct {
	patterns []Pattern
	comps    []string
	best     int32
}

// visit takes the rules at nodes reached with rest components to go.
// tried are the nodes whose check rules were tried already: a full match
// does not depend on where the walk started, so each is tried once per
// lookup.
func (w *walk) visit(nodes []*segNode, rest int, tried []*segNode) []*segNode {
	for _, nd := range nodes {
		w.best = take(nd.exact, rest, w.best)
		if len(nd.check) > 0 && nd.check[len(nd.check)-1] > w.best && !slices.Contains(tried, nd) {
			tried = append(tried, nd)
			w.best = try(nd.check, w.patterns, w.comps, w.best)
		}
	}
	return tried
}

// descend follows the trie from the nodes cur along the components from k
// on, keeping every node the path so far reaches (a tree, so none is
// reached twice). next is scratch space.
func (w *walk) descend(cur []*segNode, k int, next, tried []*segNode) []*segNode {
	n := len(w.comps)
	for ; k < n && len(cur) > 0; k++ {
		next = next[:0]
		for _, nd := range cur {
			next = nd.children(w.comps[k], next)
		}
		tried = w.visit(next, n-k-1, tried)
		cur, next = next, cur
	}
	return tried
}
