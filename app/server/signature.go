package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// errSignature is returned for a missing, malformed or wrong signature.
var errSignature = errors.New("bad webhook signature")

// verifySignature checks header ("sha256=<hex>") against the HMAC-SHA256
// of body under secret in constant time. SHA-1 signatures are refused.
func verifySignature(secret, body []byte, header string) error {
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return errSignature
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return errSignature
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errSignature
	}
	return nil
}

// Sign returns the X-Hub-Signature-256 header value for body, as GitHub
// computes it; for tests and the simulator's clients.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
