package attest

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	_ "crypto/sha512" // crypto.SHA384 and SHA512
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/verify"
)

// Artifact is what [Verifier.VerifyArtifact] checks a bundle against: an
// artifact's bytes, or only its digest.
type Artifact struct {
	alg    string // "sha256", "sha384" or "sha512"
	digest []byte
	// data is the artifact itself, nil when only its digest is known. Ed25519
	// message signatures need it: they sign the message, not a digest.
	data []byte
}

// ArtifactBytes returns the artifact made of data (digest SHA-256).
func ArtifactBytes(data []byte) Artifact {
	sum := sha256.Sum256(data)
	return Artifact{alg: "sha256", digest: sum[:], data: bytes.Clone(data)}
}

// ParseDigest parses "ALG:HEX" (sha256, sha384 or sha512; algorithm names
// are case-insensitive) as an artifact known only by its digest.
func ParseDigest(s string) (Artifact, error) {
	alg, hexDigest, ok := strings.Cut(s, ":")
	if !ok {
		return Artifact{}, fmt.Errorf("digest %q is not ALG:HEX", s)
	}
	alg = strings.ToLower(alg)
	h, ok := digestHash(alg)
	if !ok {
		return Artifact{}, fmt.Errorf("digest algorithm %q is not supported (sha256, sha384, sha512)", alg)
	}
	d, err := hex.DecodeString(hexDigest)
	if err != nil || len(d) != h.Size() {
		return Artifact{}, fmt.Errorf("digest %q is not %d hexadecimal bytes", s, h.Size())
	}
	return Artifact{alg: alg, digest: d}, nil
}

// String returns "alg:hex".
func (a Artifact) String() string { return a.alg + ":" + hex.EncodeToString(a.digest) }

// cacheKey tells apart checks whose outcome can differ for one bundle.
func (a Artifact) cacheKey() string {
	if a.data != nil {
		return a.String() + "+data"
	}
	return a.String()
}

func (a Artifact) valid() bool {
	h, ok := digestHash(a.alg)
	return ok && len(a.digest) == h.Size()
}

// policyOption is the sigstore-go artifact policy for a message signature.
func (a Artifact) policyOption() verify.ArtifactPolicyOption {
	if a.data != nil {
		return verify.WithArtifact(bytes.NewReader(a.data))
	}
	return verify.WithArtifactDigest(a.alg, a.digest)
}

// digestOf returns the artifact's digest under alg, when it can be known.
func (a Artifact) digestOf(alg string) ([]byte, bool) {
	if alg == a.alg {
		return a.digest, true
	}
	h, ok := digestHash(alg)
	if !ok || a.data == nil {
		return nil, false
	}
	hh := h.New()
	hh.Write(a.data)
	return hh.Sum(nil), true
}

func digestHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case "sha256":
		return crypto.SHA256, true
	case "sha384":
		return crypto.SHA384, true
	case "sha512":
		return crypto.SHA512, true
	}
	return 0, false
}

// matchSubject returns the first "alg:hex" digest of a subject of st that
// is the artifact's, as sigstore-go's artifact policy does for DSSE.
func matchSubject(st statement, a Artifact) (string, error) {
	for _, s := range st.Subject {
		for alg, hexDigest := range s.Digest {
			want, ok := a.digestOf(strings.ToLower(alg))
			if !ok {
				continue
			}
			got, err := hex.DecodeString(hexDigest)
			if err == nil && bytes.Equal(got, want) {
				return strings.ToLower(alg) + ":" + hex.EncodeToString(got), nil
			}
		}
	}
	return "", reject(ErrNotBound, "no subject of the statement has the digest %s", a)
}

// VerifyArtifact verifies bundleJSON (a Sigstore bundle, or a DSSE envelope
// signed by a configured key) against an artifact, whatever the bundle
// signs: a message signature must sign the artifact, and an in-toto
// statement must have a subject with its digest. It binds to no commit and
// does not check who signed: see [SignerPolicy.Check].
//
// The Result has no Commit or Repository; ArtifactDigest is the digest that
// matched, and Statement the verified statement (nil for a message
// signature). Errors are as for [Verifier.Verify].
func (v *Verifier) VerifyArtifact(bundleJSON []byte, a Artifact) (Result, error) {
	res := Result{BundleDigest: bundleDigest(bundleJSON)}
	if !a.valid() {
		return res, errors.New("attest: artifact has no valid digest (use ArtifactBytes or ParseDigest)")
	}
	vd, err := v.cached(bundleJSON, res.BundleDigest, &a)
	if err != nil {
		return res, err
	}
	vd.fill(&res)
	if vd.payload == nil {
		res.ArtifactDigest = a.String() // sigstore-go checked the message signature against it
	} else if res.ArtifactDigest, err = matchSubject(vd.stmt, a); err != nil {
		return res, err
	}
	if vd.timeErr != nil {
		return res, vd.timeErr
	}
	res.SignedAt = vd.signedAt
	return res, nil
}
