package policy

import "slices"

// codeownersIndex finds the last rule matching a path without trying every
// rule. Each rule is filed under one key that any path it matches must
// have, and only the rules found under a path's keys are tried, from the
// last line down, stopping at the first that matches or that cannot beat
// the best match so far. The classes, most common first in real files:
//
//   - anchored all-literal patterns (`/apps/api/`, `docs/README.md`) end at
//     a node of a trie over path components and need no further check;
//   - anchored patterns with a literal prefix (`/apps/*/deploy/`) are tried
//     at the trie node of that prefix;
//   - floating one-segment patterns are looked up by component: literal
//     names (`Makefile`, `apps/`) in a map, `*SUFFIX` (`*.go`) and
//     `PREFIX*` (`Dockerfile*`) in maps probed only with the suffix and
//     prefix lengths that occur;
//   - other patterns with a literal segment (`**/logs/*.txt`, `/*/deploy`)
//     are tried when a component equals that segment;
//   - the rest (`*`, `f?o`) are tried for every path.
//
// Lists hold rule indexes in ascending order, so the scan from the back can
// stop early.
type codeownersIndex struct {
	root       trieNode
	base       map[string][]ruleRef
	suffix     map[string][]ruleRef
	suffixLens []int
	prefix     map[string][]ruleRef
	prefixLens []int
	byLiteral  map[string][]int32
	scan       []int32
}

// ruleRef is a rule that matches when its key is found, given its tail.
type ruleRef struct {
	rule int32
	tail tailMode
}

// trieNode is one literal path prefix of anchored patterns.
type trieNode struct {
	children map[string]*trieNode
	// exact are all-literal patterns ending here.
	exact []ruleRef
	// check are patterns whose literal prefix ends here; the whole pattern
	// must be tried.
	check []int32
}

func (n *trieNode) child(name string) *trieNode {
	if n.children == nil {
		n.children = make(map[string]*trieNode)
	}
	c := n.children[name]
	if c == nil {
		c = &trieNode{}
		n.children[name] = c
	}
	return c
}

// buildCodeownersIndex files every pattern; patterns[i] is rule i.
func buildCodeownersIndex(patterns []*PathPattern) codeownersIndex {
	ix := codeownersIndex{
		base:      make(map[string][]ruleRef),
		suffix:    make(map[string][]ruleRef),
		prefix:    make(map[string][]ruleRef),
		byLiteral: make(map[string][]int32),
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
	if p.floating && len(p.segs) == 1 && p.tail != tailNone {
		s := p.segs[0]
		switch {
		case s.kind == segLiteral:
			ix.base[s.lit] = append(ix.base[s.lit], ref)
			return
		case s.kind == segGlob && len(s.toks) == 2 && s.toks[0].kind == tokStar && s.toks[1].kind == tokLit:
			lit := s.toks[1].lit
			ix.suffix[lit] = append(ix.suffix[lit], ref)
			ix.suffixLens = append(ix.suffixLens, len(lit))
			return
		case s.kind == segGlob && len(s.toks) == 2 && s.toks[0].kind == tokLit && s.toks[1].kind == tokStar:
			lit := s.toks[0].lit
			ix.prefix[lit] = append(ix.prefix[lit], ref)
			ix.prefixLens = append(ix.prefixLens, len(lit))
			return
		}
	}
	if !p.floating && len(p.segs) > 0 && p.segs[0].kind == segLiteral {
		n := &ix.root
		k := 0
		for k < len(p.segs) && p.segs[k].kind == segLiteral {
			n = n.child(p.segs[k].lit)
			k++
		}
		if k == len(p.segs) && p.tail != tailNone {
			n.exact = append(n.exact, ref)
		} else {
			n.check = append(n.check, i)
		}
		return
	}
	key := ""
	for _, s := range p.segs {
		if s.kind == segLiteral && len(s.lit) > len(key) {
			key = s.lit
		}
	}
	if key != "" {
		ix.byLiteral[key] = append(ix.byLiteral[key], i)
		return
	}
	ix.scan = append(ix.scan, i)
}

// lookup returns the index of the last rule matching the path components,
// or -1.
func (ix *codeownersIndex) lookup(patterns []*PathPattern, comps []string) int {
	n := len(comps)
	if n == 0 {
		return -1
	}
	best := int32(-1)
	// try runs the full pattern match on candidates, newest first.
	try := func(list []int32) {
		for j := len(list) - 1; j >= 0 && list[j] > best; j-- {
			if patterns[list[j]].matchComponents(comps) {
				best = list[j]
				return
			}
		}
	}
	// take accepts the newest ref whose tail allows the rest of the path:
	// rest is how many components follow the matched one.
	take := func(refs []ruleRef, rest int) {
		for j := len(refs) - 1; j >= 0 && refs[j].rule > best; j-- {
			if refs[j].tail == tailSome && rest == 0 {
				continue
			}
			best = refs[j].rule
			return
		}
	}

	node := &ix.root
	for k := 0; k < n && node.children != nil; k++ {
		node = node.children[comps[k]]
		if node == nil {
			break
		}
		take(node.exact, n-k-1)
		try(node.check)
	}
	for k, c := range comps {
		rest := n - k - 1
		if refs, ok := ix.base[c]; ok {
			take(refs, rest)
		}
		for _, l := range ix.suffixLens {
			if l > len(c) {
				break
			}
			if refs, ok := ix.suffix[c[len(c)-l:]]; ok {
				take(refs, rest)
			}
		}
		for _, l := range ix.prefixLens {
			if l > len(c) {
				break
			}
			if refs, ok := ix.prefix[c[:l]]; ok {
				take(refs, rest)
			}
		}
		if list, ok := ix.byLiteral[c]; ok {
			try(list)
		}
	}
	try(ix.scan)
	return int(best)
}
