package codeowners

import (
	"testing"

	"github.com/zgate-dev/zgate/policy/codeowners/codeownerstest"
)

// BenchmarkMatch resolves the owners of 3,000 changed files
// against a 5,000-rule monorepo CODEOWNERS; one op is the whole batch.
func BenchmarkMatch(b *testing.B) {
	text, paths := codeownerstest.Monorepo(42, 5000, 3000)
	c, err := Parse("CODEOWNERS", []byte(text))
	if err != nil {
		b.Fatalf("Parse: %v", err)
	}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		for _, p := range paths {
			c.Owners(p)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(paths)), "ns/path")
	if cpu := processCPU() - cpu; cpu > 0 {
		// On a shared machine wall time (ns/op) includes waiting for a
		// core; CPU time per batch does not.
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkMatchLinear is the same batch with the linear scan,
// to show what the index saves.
func BenchmarkMatchLinear(b *testing.B) {
	text, paths := codeownerstest.Monorepo(42, 5000, 3000)
	c, err := Parse("CODEOWNERS", []byte(text))
	if err != nil {
		b.Fatalf("Parse: %v", err)
	}
	for b.Loop() {
		for _, p := range paths {
			referenceRule(c, p)
		}
	}
}

// BenchmarkParse parses and indexes the 5,000-rule file.
func BenchmarkParse(b *testing.B) {
	text, _ := codeownerstest.Monorepo(42, 5000, 0)
	data := []byte(text)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("CODEOWNERS", data); err != nil {
			b.Fatal(err)
		}
	}
}
