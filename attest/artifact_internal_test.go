package attest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"
)

// TestVerifyArtifactKeyedMessageEachKey: a keyed message signature whose
// hint names no configured key is tried with each key, and the artifact's
// bytes are read afresh for each try.
func TestVerifyArtifactKeyedMessageEachKey(t *testing.T) {
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	signer, other := newKey(), newKey()
	kp, err := newKeypair(signer)
	if err != nil {
		t.Fatal(err)
	}
	kp.hint = "npm-registry-key-1" // not zgate's hint format
	artifact := []byte("package.tgz")
	b, err := sign.Bundle(&sign.PlainData{Data: artifact}, kp, sign.BundleOptions{Context: context.Background()})
	if err != nil {
		t.Fatal(err)
	}
	data, err := protojson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatal("bundle is not JSON")
	}
	// The signer's key last: the first try consumes a reader of the artifact.
	v := NewVerifier(nil, WithPublicKeys(other.Public(), signer.Public()))
	res, err := v.VerifyArtifact(data, ArtifactBytes(artifact))
	if fp, _ := KeyFingerprint(signer.Public()); res.Identity != fp {
		t.Fatalf("VerifyArtifact = identity %q, %v; want %q (and no verified time)", res.Identity, err, fp)
	}
	if _, err := v.VerifyArtifact(data, ArtifactBytes([]byte("other"))); err == nil {
		t.Fatalf("VerifyArtifact(another artifact) = %v, want a rejection", err)
	}
}
