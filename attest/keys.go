package attest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/signature"
)

// KeyIssuer is the issuer reported for attestations signed with a
// configured public key rather than a Fulcio certificate; their identity is
// the key's [KeyFingerprint]. A gate policy names them with
// `issuer: urn:zgate:key` and `identity: 'sha256:<hex>'`.
const KeyIssuer = "urn:zgate:key"

// ParsePublicKeys parses every PEM "PUBLIC KEY" block of data (ECDSA P-256,
// P-384, Ed25519 or RSA of at least 2048 bits).
func ParsePublicKeys(data []byte) ([]crypto.PublicKey, error) {
	var keys []crypto.PublicKey
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("PEM block %q is not a PUBLIC KEY", block.Type)
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key %d: %w", len(keys)+1, err)
		}
		if err := checkKeyType(pub); err != nil {
			return nil, fmt.Errorf("public key %d: %w", len(keys)+1, err)
		}
		keys = append(keys, pub)
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM PUBLIC KEY block found")
	}
	return keys, nil
}

func checkKeyType(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return fmt.Errorf("ECDSA curve %s is not supported (P-256, P-384)", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("RSA key of %d bits is too short (2048 at least)", k.N.BitLen())
		}
	default:
		return fmt.Errorf("key type %T is not supported (ECDSA, Ed25519, RSA)", pub)
	}
	return nil
}

// KeyFingerprint returns "sha256:" and the hex SHA-256 of the key's PKIX
// DER encoding: the identity of keyed attestations.
func KeyFingerprint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("key fingerprint: %w", err)
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// KeyHint returns the public-key hint zgate writes into keyed bundles: the
// base64 SHA-256 of the key's PKIX DER encoding (sigstore-go's default).
func KeyHint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("key hint: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// trustedKey is one configured public key.
type trustedKey struct {
	pub         crypto.PublicKey
	fingerprint string
	hint        string
	verifier    signature.Verifier
}

func newTrustedKey(pub crypto.PublicKey) (*trustedKey, error) {
	if err := checkKeyType(pub); err != nil {
		return nil, err
	}
	fp, err := KeyFingerprint(pub)
	if err != nil {
		return nil, err
	}
	hint, err := KeyHint(pub)
	if err != nil {
		return nil, err
	}
	v, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", fp, err)
	}
	return &trustedKey{pub: pub, fingerprint: fp, hint: hint, verifier: v}, nil
}

// keySet is the configured public keys, looked up by hint or fingerprint.
type keySet struct {
	keys   []*trustedKey
	byName map[string]*trustedKey
}

func (ks *keySet) add(k *trustedKey) {
	if ks.byName == nil {
		ks.byName = map[string]*trustedKey{}
	}
	if _, dup := ks.byName[k.fingerprint]; dup {
		return
	}
	ks.keys = append(ks.keys, k)
	ks.byName[k.fingerprint] = k
	ks.byName[k.hint] = k
}

func (ks *keySet) lookup(hint string) *trustedKey {
	if k, ok := ks.byName[hint]; ok {
		return k
	}
	return nil
}

// material exposes k to sigstore-go as trusted material, whatever hint
// the bundle names (verifyKeyedBundle chose k); keys have no validity
// window of their own.
func (k *trustedKey) material() root.TrustedMaterial {
	return root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return root.NewExpiringKey(k.verifier, timeZero, timeZero), nil
	})
}
