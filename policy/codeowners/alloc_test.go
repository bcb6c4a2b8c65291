package codeowners

import (
	"bytes"
	"runtime"
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

// TestParseBlankLinesReserveNothing: rules are sized from the lines that
// can hold one, so a file of 3 MiB of newlines and comments (which anyone
// with push access can commit) costs its own copy, not a slot per line.
func TestParseBlankLinesReserveNothing(t *testing.T) {
	unit := []byte("\n  \n# c\n")
	data := bytes.Repeat(unit, maxSize/len(unit))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c, err := Parse("CODEOWNERS", data)
	runtime.ReadMemStats(&after)
	if err != nil || len(c.Rules()) != 0 {
		t.Fatalf("Parse = %d rules, %v; want none, no error", len(c.Rules()), err)
	}
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(2*len(data)); got > limit {
		t.Errorf("Parse of %d bytes without rules allocated %d bytes, want at most %d", len(data), got, limit)
	}
}

// TestParseSmallFileMemory: the shared arrays grow with the file, so the
// App, which keeps a parsed CODEOWNERS per repository and base, does not
// pay a big file's arrays for a small one.
func TestParseSmallFileMemory(t *testing.T) {
	data := []byte("*       @acme/platform\n/deploy/ @acme/sre\n/deploy/prod/ @acme/sre @acme/security\n*.go    @acme/gophers\n/docs/  @alice\n")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := Parse("CODEOWNERS", data); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(32<<10); got > limit {
		t.Errorf("Parse of a 5-rule file allocated %d bytes, want at most %d", got, limit)
	}
}
