package attest_test

import (
	"testing"

	"github.com/zgate-dev/zgate/attest"
)

// BenchmarkVerify measures one GitHub-shaped bundle (two intermediates,
// RFC 3161 timestamp): cold verifies it every time, cached is a
// re-evaluation of a PR whose bundle was already verified.
func BenchmarkVerify(b *testing.B) {
	bundle := readTestdata(b, tdBundle)
	b.Run("cold", func(b *testing.B) {
		v := testdataVerifier(b, attest.WithCacheSize(0))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(bundle, payments); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		v := testdataVerifier(b)
		if _, err := v.Verify(bundle, payments); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(bundle, payments); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("keyed-cold", func(b *testing.B) {
		keyed := readTestdata(b, tdKeyed)
		v := testdataVerifier(b, attest.WithCacheSize(0))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(keyed, payments); err != nil {
				b.Fatal(err)
			}
		}
	})
}
