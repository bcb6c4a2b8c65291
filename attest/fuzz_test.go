package attest_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/zgate-dev/zgate/attest"
)

// FuzzVerifyBundle feeds arbitrary bytes to the bundle path: it must never
// panic, every failure must be a rejection, and an accepted input must be
// bound to the commit with a verified time.
func FuzzVerifyBundle(f *testing.F) {
	for _, name := range []string{tdBundle, tdKeyed, tdEnvelope, tdRoot, "testdata/publicgood/bundle-v0.1.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Add([]byte(`{}`))
	v := testdataVerifier(f, attest.WithCacheSize(0))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := v.Verify(data, payments)
		if err != nil {
			if !errors.Is(err, attest.ErrRejected) {
				t.Fatalf("Verify = %v, not a rejection", err)
			}
			return
		}
		if res.Commit != payments.SHA || res.SignedAt.IsZero() || res.Issuer == "" {
			t.Fatalf("Verify accepted %q with result %+v", data, res)
		}
	})
}

// FuzzVerifyEnvelope fuzzes the DSSE envelope path (keyed mode).
func FuzzVerifyEnvelope(f *testing.F) {
	f.Add(readTestdata(f, tdEnvelope))
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":"AAAA"}]}`))
	f.Add([]byte(`{"signatures":null}`))
	v := testdataVerifier(f, attest.WithCacheSize(0))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := v.Verify(data, payments)
		if err == nil {
			t.Fatalf("Verify accepted envelope %q, which has no verified time", data)
		}
		if !errors.Is(err, attest.ErrRejected) {
			t.Fatalf("Verify = %v, not a rejection", err)
		}
	})
}

// FuzzLoadTrustedRoots checks the trusted-root parser never panics.
func FuzzLoadTrustedRoots(f *testing.F) {
	f.Add(readTestdata(f, tdRoot))
	f.Add([]byte("{}\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = attest.LoadTrustedRoots(data)
	})
}

// FuzzParsePublicKeys checks the PEM key parser never panics and returns
// keys or an error.
func FuzzParsePublicKeys(f *testing.F) {
	f.Add(readTestdata(f, tdKey))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := attest.ParsePublicKeys(data)
		if err == nil && len(keys) == 0 {
			t.Fatalf("ParsePublicKeys = no keys and no error")
		}
	})
}

// FuzzSplitBundles checks the JSON-lines splitter: every part it returns is
// valid JSON.
func FuzzSplitBundles(f *testing.F) {
	f.Add(readTestdata(f, tdBundle))
	f.Add([]byte("{}\n\n{\"a\":1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parts, err := attest.SplitBundles(data)
		if err != nil {
			return
		}
		for _, p := range parts {
			if !json.Valid(p) {
				t.Fatalf("SplitBundles part %q is not JSON", p)
			}
		}
	})
}

func FuzzParseDigest(f *testing.F) {
	f.Add("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	f.Add("SHA512:00")
	f.Add("md5:")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := attest.ParseDigest(s)
		if err != nil {
			return
		}
		// A parsed digest prints in a form that parses to itself.
		b, err := attest.ParseDigest(a.String())
		if err != nil || b.String() != a.String() {
			t.Fatalf("ParseDigest(%q).String() = %q does not round-trip: %v", s, a.String(), err)
		}
	})
}
