package codeowners

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// This file generates random CODEOWNERS files and paths for the
// differential tests; codeownerstest.Monorepo is the realistic input of the
// benchmarks.

// randomPattern builds a pattern from a small alphabet so that patterns and
// paths collide often.
func randomPattern(r *rand.Rand) string {
	names := []string{"a", "b", "apps", "docs", "x.go", "y.md", "logs", "a.b"}
	pieces := []string{"*", "**", "?", "*.go", "a*", "*b", "d?cs", "*.md", "x*y"}
	n := 1 + r.IntN(4)
	segs := make([]string, n)
	for i := range segs {
		if r.IntN(3) == 0 {
			segs[i] = pieces[r.IntN(len(pieces))]
		} else {
			segs[i] = names[r.IntN(len(names))]
		}
	}
	p := strings.Join(segs, "/")
	switch r.IntN(6) {
	case 0, 1:
		p = "/" + p
	case 2:
		p = "**/" + p // floating, several segments
	}
	if r.IntN(4) == 0 {
		p += "/"
	}
	return p
}

// randomPath builds a path over the same alphabet as randomPattern.
func randomPath(r *rand.Rand) string {
	names := []string{"a", "b", "apps", "docs", "x.go", "y.md", "logs", "a.b", "dics", "xzy", "ab", "bb"}
	n := 1 + r.IntN(5)
	segs := make([]string, n)
	for i := range segs {
		segs[i] = names[r.IntN(len(names))]
	}
	return strings.Join(segs, "/")
}

// randomCodeowners is a file of n random rules, some clearing ownership.
func randomCodeowners(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if r.IntN(10) == 0 {
			fmt.Fprintf(&b, "%s\n", randomPattern(r))
			continue
		}
		fmt.Fprintf(&b, "%s @team%d\n", randomPattern(r), i)
	}
	return b.String()
}
