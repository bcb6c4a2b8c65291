package policydiff

import (
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/policy/codeowners"
	"github.com/zgate-dev/zgate/policy/codeowners/codeownerstest"
)

// BenchmarkCompareOwners compares a monorepo's CODEOWNERS (5,000 rules)
// with a version that drops every tenth rule, over 100,000 files: the
// largest tree GitHub returns untruncated.
func BenchmarkCompareOwners(b *testing.B) {
	src, files := codeownerstest.Monorepo(1, 5000, 100000)
	lines := strings.Split(src, "\n")
	var kept []string
	for i, l := range lines {
		if i%10 != 3 {
			kept = append(kept, l)
		}
	}
	old, _ := codeowners.Parse("CODEOWNERS", []byte(src))
	nu, _ := codeowners.Parse("CODEOWNERS", []byte(strings.Join(kept, "\n")))
	in := Input{Old: Side{Codeowners: old}, New: Side{Codeowners: nu}, CompareOwners: true, Files: files}
	b.ReportAllocs()
	var r Report
	for b.Loop() {
		r = Compare(in)
	}
	b.ReportMetric(float64(len(r.Owners)), "paths_losing_owners")
}
