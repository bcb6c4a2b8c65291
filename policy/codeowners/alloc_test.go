package codeowners

import (
	"testing"

	"github.com/zgate-dev/zgate/policy/codeowners/codeownerstest"
)

// TestParseAllocs bounds the allocations of parsing and indexing a
// 5,000-rule file. `zgate owners` runs once per process, so parse garbage
// is not amortised: each allocation is paid again in page faults and
// garbage collection of a process that lives a few milliseconds. Rules,
// patterns, segments and owners are carved from a few shared arrays and
// the strings point into one copy of the file.
func TestParseAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("parses a 5,000-rule file several times")
	}
	const rules = 5000
	text, _ := codeownerstest.Monorepo(42, rules, 0)
	data := []byte(text)
	allocs := testing.AllocsPerRun(3, func() {
		if _, err := Parse("CODEOWNERS", data); err != nil {
			t.Fatal(err)
		}
	})
	// The trie's maps remain (once 18 per rule, 3,700 now).
	if limit := float64(rules); allocs > limit {
		t.Errorf("Parse of %d rules: %.0f allocations, want at most %.0f", rules, allocs, limit)
	}
}
