package attest

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"google.golang.org/protobuf/encoding/protojson"
)

// SignOptions configures [SignKeyed].
type SignOptions struct {
	// TSAURL is an RFC 3161 timestamp authority to timestamp the signature
	// with; without one the attestation verifies but never counts as a
	// control, since nothing vouches for its signing time. The authority
	// must be in the verifier's trusted roots.
	TSAURL string
	// HTTPClient reaches the timestamp authority (default: a client with a
	// 30 s timeout).
	HTTPClient *http.Client
}

// SignKeyed signs an in-toto statement with a private key (ECDSA, Ed25519
// or RSA) and returns a Sigstore v0.3 bundle as JSON whose verification
// material is the key's hint ([KeyHint]), timestamped when opts.TSAURL is
// set. It is for CI systems without OIDC; verify with [WithPublicKeys].
func SignKeyed(ctx context.Context, key crypto.PrivateKey, statement []byte, opts SignOptions) ([]byte, error) {
	kp, err := newKeypair(key)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if _, err := parseStatement(PayloadTypeInToto, statement); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	bo := sign.BundleOptions{Context: ctx}
	if opts.TSAURL != "" {
		client := opts.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: 30 * time.Second}
		}
		bo.TimestampAuthorities = []*sign.TimestampAuthority{sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{
			URL:       opts.TSAURL,
			Transport: client.Transport,
			Timeout:   client.Timeout,
		})}
	}
	b, err := sign.Bundle(&sign.DSSEData{Data: statement, PayloadType: PayloadTypeInToto}, kp, bo)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	out, err := protojson.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("sign: bundle: %w", err)
	}
	// protojson's layout is deliberately unstable; write compact JSON with
	// sorted keys so that the same bundle is always the same bytes (signed
	// decisions are checked byte for byte).
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("sign: bundle: %w", err)
	}
	if out, err = json.Marshal(v); err != nil {
		return nil, fmt.Errorf("sign: bundle: %w", err)
	}
	return out, nil
}

// keypair adapts a long-lived private key to sigstore-go's sign.Keypair.
type keypair struct {
	signer crypto.Signer
	alg    signature.AlgorithmDetails
	hint   string
}

func newKeypair(key crypto.PrivateKey) (*keypair, error) {
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key of type %T cannot sign", key)
	}
	if err := checkKeyType(s.Public()); err != nil {
		return nil, err
	}
	alg, err := signature.GetDefaultAlgorithmDetails(s.Public())
	if err != nil {
		return nil, fmt.Errorf("key algorithm: %w", err)
	}
	hint, err := KeyHint(s.Public())
	if err != nil {
		return nil, err
	}
	return &keypair{signer: s, alg: alg, hint: hint}, nil
}

func (k *keypair) GetHashAlgorithm() protocommon.HashAlgorithm { return k.alg.GetProtoHashType() }

func (k *keypair) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	return k.alg.GetSignatureAlgorithm()
}

func (k *keypair) GetHint() []byte { return []byte(k.hint) }

func (k *keypair) GetKeyAlgorithm() string {
	switch k.alg.GetKeyType() {
	case signature.ECDSA:
		return "ECDSA"
	case signature.RSA:
		return "RSA"
	case signature.ED25519:
		return "ED25519"
	}
	return ""
}

func (k *keypair) GetPublicKey() crypto.PublicKey { return k.signer.Public() }

func (k *keypair) GetPublicKeyPem() (string, error) {
	p, err := cryptoutils.MarshalPublicKeyToPEM(k.signer.Public())
	if err != nil {
		return "", fmt.Errorf("public key: %w", err)
	}
	return string(p), nil
}

// SignData signs data: a digest of it for ECDSA and RSA, the data itself
// for Ed25519, which hashes while signing.
func (k *keypair) SignData(_ context.Context, data []byte) ([]byte, []byte, error) {
	h := k.alg.GetHashType()
	msg := data
	if h != crypto.Hash(0) {
		hh := h.New()
		hh.Write(data)
		msg = hh.Sum(nil)
	}
	sig, err := k.signer.Sign(rand.Reader, msg, h)
	if err != nil {
		return nil, nil, fmt.Errorf("signing: %w", err)
	}
	if len(sig) == 0 {
		return nil, nil, errors.New("signing: empty signature")
	}
	return sig, msg, nil
}
