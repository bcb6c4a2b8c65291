package decision

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/bundle"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/attest/attesttest"
)

// signedTimestamp returns a real RFC 3161 response of attesttest's TSA,
// taken from a keyed bundle.
func signedTimestamp(t testing.TB) []byte {
	t.Helper()
	gh := attesttest.NewGitHubInstance(t)
	tsa := httptest.NewServer(gh.TSAHandler())
	defer tsa.Close()
	key := attesttest.NewKey(t, attesttest.ECDSAP256)
	st := attesttest.Statement(t, attest.Commit{Owner: "acme", Repo: "payments", SHA: "4c7f3b0e0d6f1a2b3c4d5e6f708192a3b4c5d6e7"}, PredicateType, nil)
	raw, err := attest.SignKeyed(context.Background(), key, st, attest.SignOptions{TSAURL: tsa.URL, HTTPClient: tsa.Client()})
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle.Bundle{}
	if err := b.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	return b.GetVerificationMaterial().GetTimestampVerificationData().GetRfc3161Timestamps()[0].GetSignedTimestamp()
}

func TestStrictTimestamp(t *testing.T) {
	der := signedTimestamp(t)
	if err := strictTimestamp(der); err != nil {
		t.Fatalf("strictTimestamp(real response) = %v", err)
	}
	// Every single-bit change of the first 64 bytes (the unsigned wrapper)
	// is refused.
	for i := 0; i < 64 && i < len(der); i++ {
		for bit := 0; bit < 8; bit++ {
			b := bytes.Clone(der)
			b[i] ^= 1 << bit
			if strictTimestamp(b) == nil {
				t.Errorf("byte %d bit %d changed: accepted", i, bit)
			}
		}
	}
	if strictTimestamp(append(bytes.Clone(der), 0)) == nil {
		t.Error("trailing byte: accepted")
	}
}

func FuzzStrictTimestamp(f *testing.F) {
	f.Add(signedTimestamp(f))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		_ = strictTimestamp(der) // must not panic
	})
}

func FuzzCheckCanonical(f *testing.F) {
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`), "sha256:00")
	f.Fuzz(func(t *testing.T, data []byte, fp string) {
		if checkCanonical(data, fp) == nil && !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
	})
}
