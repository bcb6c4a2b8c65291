package attesttest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
)

// Key algorithms for NewKey.
const (
	ECDSAP256 = "ecdsa-p256"
	Ed25519   = "ed25519"
	RSA2048   = "rsa-2048"
)

// NewKey generates a private key of the given algorithm.
func NewKey(t TB, alg string) crypto.Signer {
	t.Helper()
	var (
		k   crypto.Signer
		err error
	)
	switch alg {
	case ECDSAP256:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case Ed25519:
		_, k, err = ed25519.GenerateKey(rand.Reader)
	case RSA2048:
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("attesttest: unknown key algorithm %q", alg)
	}
	if err != nil {
		t.Fatalf("attesttest: key: %v", err)
	}
	return k
}

// PublicKeyPEM returns k's public key as a PEM "PUBLIC KEY" block.
func PublicKeyPEM(t TB, k crypto.Signer) []byte {
	t.Helper()
	p, err := cryptoutils.MarshalPublicKeyToPEM(k.Public())
	if err != nil {
		t.Fatalf("attesttest: public key: %v", err)
	}
	return p
}

// PrivateKeyPEM returns k as an unencrypted PKCS #8 PEM block.
func PrivateKeyPEM(t TB, k crypto.Signer) []byte {
	t.Helper()
	p, err := cryptoutils.MarshalPrivateKeyToPEM(k)
	if err != nil {
		t.Fatalf("attesttest: private key: %v", err)
	}
	return p
}

// EncryptedKeyPEM returns k encrypted with password the way cosign writes
// its keys ("ENCRYPTED SIGSTORE PRIVATE KEY").
func EncryptedKeyPEM(t TB, k crypto.Signer, password string) []byte {
	t.Helper()
	der, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(k, func(bool) ([]byte, error) { return []byte(password), nil })
	if err != nil {
		t.Fatalf("attesttest: encrypted key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: string(cryptoutils.EncryptedSigstorePrivateKeyPEMType), Bytes: der})
}

// Envelope signs statement with k into a bare DSSE envelope (JSON).
func Envelope(t TB, k crypto.Signer, statement []byte) []byte {
	t.Helper()
	s, err := signature.LoadDefaultSigner(k)
	if err != nil {
		t.Fatalf("attesttest: signer: %v", err)
	}
	es, err := dsse.NewEnvelopeSigner(&sigdsse.SignerAdapter{SignatureSigner: s, Pub: k.Public()})
	if err != nil {
		t.Fatalf("attesttest: envelope signer: %v", err)
	}
	env, err := es.SignPayload(context.Background(), "application/vnd.in-toto+json", statement)
	if err != nil {
		t.Fatalf("attesttest: sign: %v", err)
	}
	out, err := json.Marshal(env)
	if err != nil {
		t.Fatalf("attesttest: envelope: %v", err)
	}
	return out
}
