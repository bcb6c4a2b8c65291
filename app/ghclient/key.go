package ghclient

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrBadKey is wrapped by every error about an unusable App private key.
var ErrBadKey = errors.New("bad app private key")

// parsePrivateKey decodes a PEM RSA key in PKCS#1 ("RSA PRIVATE KEY") or
// PKCS#8 ("PRIVATE KEY") form. GitHub hands out PKCS#1 keys; PKCS#8 is what
// openssl and key stores often convert them to.
func parsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block found", ErrBadKey)
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PKCS#1: %w", ErrBadKey, err)
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PKCS#8: %w", ErrBadKey, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: PKCS#8 key is %T, GitHub Apps need RSA", ErrBadKey, k)
		}
		return rk, nil
	default:
		return nil, fmt.Errorf("%w: PEM block type %q, want \"RSA PRIVATE KEY\" or \"PRIVATE KEY\"", ErrBadKey, block.Type)
	}
}
