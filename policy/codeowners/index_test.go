package codeowners

import (
	"math/rand/v2"
	"testing"

	"github.com/zgate-dev/zgate/policy/codeowners/codeownerstest"
)

// TestIndexMatchesReference compares the indexed matcher with the linear
// scan, and every pattern with the regexp oracle, on random inputs.
func TestIndexMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		text := randomCodeowners(r, 1+r.IntN(60))
		c, _ := Parse("CODEOWNERS", []byte(text))
		for range 100 {
			path := randomPath(r)
			if got, want := indexedRule(c, path), referenceRule(c, path); got != want {
				t.Fatalf("round %d: path %q: indexed rule %d (%s), reference rule %d (%s)\nCODEOWNERS:\n%s",
					round, path, got, ruleText(c, got), want, ruleText(c, want), text)
			}
		}
	}
}

func TestPatternsMatchOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		pattern := randomPattern(r)
		p, err := CompilePattern(pattern)
		if err != nil {
			t.Fatalf("CompilePattern(%q): %v", pattern, err)
		}
		re, ok := oracleRegexp(pattern)
		if !ok {
			t.Fatalf("oracle cannot handle %q", pattern)
		}
		for range 30 {
			path := randomPath(r)
			if got, want := p.Match(path), oracleMatch(re, path); got != want {
				t.Fatalf("%q.Match(%q) = %v, oracle %v (regexp %s)", pattern, path, got, want, re)
			}
		}
	}
}

func TestMonorepoIndexMatchesReference(t *testing.T) {
	text, paths := codeownerstest.Monorepo(7, 2000, 1000)
	c, err := Parse("CODEOWNERS", []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for _, path := range paths {
		if got, want := indexedRule(c, path), referenceRule(c, path); got != want {
			t.Fatalf("path %q: indexed rule %d (%s), reference rule %d (%s)", path, got, ruleText(c, got), want, ruleText(c, want))
		}
	}
}

func ruleText(c *File, i int) string {
	if i < 0 {
		return "none"
	}
	return c.rules[i].Pattern
}
