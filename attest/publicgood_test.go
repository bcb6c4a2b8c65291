package attest_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zgate-dev/zgate/attest"
)

// TestRealPublicGoodBundle verifies a real public-good bundle (SCT, Rekor
// entry, inclusion promise) with the real trusted root: everything holds
// but the commit binding, since it is about an npm package.
func TestRealPublicGoodBundle(t *testing.T) {
	roots, err := attest.LoadTrustedRoots(readTestdata(t, "testdata/publicgood/trusted_root.json"))
	if err != nil {
		t.Fatalf("LoadTrustedRoots: %v", err)
	}
	v := attest.NewVerifier(roots)
	b := readTestdata(t, "testdata/publicgood/bundle-v0.1.json")
	got, err := v.Verify(b, payments)
	if !errors.Is(err, attest.ErrNotBound) {
		t.Fatalf("Verify = %v, want ErrNotBound", err)
	}
	want := attest.Result{
		PredicateType:     "https://slsa.dev/provenance/v0.2",
		Issuer:            "https://token.actions.githubusercontent.com",
		Identity:          "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
		SourceRepository:  "https://github.com/sigstore/sigstore-js",
		SignerWorkflow:    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
		RunnerEnvironment: "github-hosted",
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(attest.Result{}, "BundleDigest", "Statement")); diff != "" {
		t.Errorf("Verify result (-want +got):\n%s", diff)
	}

	// The same bundle with one byte of the signed statement changed.
	tampered := bytes.Replace(b, []byte(`"payload":"eyJ`), []byte(`"payload":"eyK`), 1)
	if bytes.Equal(tampered, b) {
		t.Fatal("tampering changed nothing")
	}
	if _, err := v.Verify(tampered, payments); !errors.Is(err, attest.ErrUnverified) {
		t.Errorf("Verify(tampered) = %v, want ErrUnverified", err)
	} else {
		t.Logf("tampered: %v", err)
	}
}
