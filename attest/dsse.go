package attest

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
)

// verifyKeyedBundle verifies a bundle whose verification material is a
// public key hint: the signature against the configured key of that hint
// or, when the hint names none (it is optional and unauthenticated, and
// other signers format it their own way), against each configured key; then
// the RFC 3161 timestamps against the trusted roots' timestamp authorities.
// A keyed bundle without a verified timestamp verifies but does not count
// (timeErr).
func (v *Verifier) verifyKeyedBundle(b *bundle.Bundle, hint string, artifact func() verify.ArtifactPolicyOption) (*verified, error) {
	if len(v.keys.keys) == 0 {
		return nil, reject(ErrUnknownKey, "signed with key %q, and no public key is configured", hint)
	}
	candidates := v.keys.keys
	k := v.keys.lookup(hint)
	if k != nil {
		candidates = []*trustedKey{k}
	}
	var lastErr error
	k = nil
	for _, c := range candidates {
		sigVerifier, err := verify.NewVerifier(c.material(), verify.WithNoObserverTimestamps())
		if err != nil {
			return nil, rejectCause(ErrUnverified, err, "keyed verifier")
		}
		if _, lastErr = sigVerifier.Verify(b, verify.NewPolicy(artifact(), verify.WithKey())); lastErr == nil {
			k = c
			break
		}
	}
	switch {
	case k == nil && len(candidates) == 1 && v.keys.lookup(hint) != nil:
		return nil, rejectCause(ErrBadSignature, lastErr, "signature does not verify with key %s (tampered payload or another key)", candidates[0].fingerprint)
	case k == nil:
		return nil, rejectCause(ErrUnknownKey, lastErr, "signed with key %q, which names no configured public key, and none of the %d configured keys verifies the signature", hint, len(candidates))
	}
	material := k.material()
	vd := &verified{issuer: KeyIssuer, identity: k.fingerprint}
	tsa := append(root.TrustedMaterialCollection{material}, v.roots.timestampingMaterial()...)
	if len(tsa.TimestampingAuthorities()) == 0 {
		vd.timeErr = reject(ErrNoVerifiedTime, "no trusted timestamp authority is configured to vouch for the signing time of keyed attestations")
		return vd, nil
	}
	if stamps, err := b.Timestamps(); err != nil || len(stamps) == 0 {
		vd.timeErr = reject(ErrNoVerifiedTime, "keyed bundle carries no timestamp; sign it with a timestamp authority (zgate attestation sign --tsa)")
		return vd, nil
	}
	timeVerifier, err := verify.NewVerifier(tsa, verify.WithSignedTimestamps(1))
	if err != nil {
		return nil, rejectCause(ErrUnverified, err, "timestamp verifier")
	}
	times, err := timeVerifier.VerifyObserverTimestamps(b, nil)
	if err != nil {
		vd.timeErr = rejectCause(ErrNoVerifiedTime, err, "no trusted timestamp vouches for the signing time")
		return vd, nil
	}
	at, ok := earliest(times)
	if !ok {
		vd.timeErr = reject(ErrNoVerifiedTime, "no trusted timestamp vouches for the signing time")
		return vd, nil
	}
	vd.signedAt = at
	return vd, nil
}

// verifyEnvelope verifies a bare DSSE envelope against the configured keys.
// An envelope carries no timestamp, so it never counts as a control; its
// signature and binding are still checked so the reason given is the most
// useful one.
func (v *Verifier) verifyEnvelope(data []byte) (*verified, error) {
	var env dsse.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, rejectCause(ErrMalformed, err, "not a DSSE envelope")
	}
	if len(env.Signatures) == 0 {
		return nil, reject(ErrMalformed, "DSSE envelope has no signature")
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, rejectCause(ErrMalformed, err, "DSSE payload is not base64")
	}
	if len(v.keys.keys) == 0 {
		return nil, reject(ErrUnknownKey, "DSSE envelope needs a configured public key, and none is")
	}
	var signer *trustedKey
	for _, k := range v.keys.keys {
		ev, err := dsse.NewEnvelopeVerifier(&sigdsse.VerifierAdapter{SignatureVerifier: k.verifier, Pub: k.pub})
		if err != nil {
			continue
		}
		if _, err := ev.Verify(context.Background(), &env); err == nil {
			signer = k
			break
		}
	}
	if signer == nil {
		return nil, reject(ErrBadSignature, "DSSE signature does not verify with any configured public key (tampered payload or another key)")
	}
	st, err := parseStatement(env.PayloadType, payload)
	if err != nil {
		return nil, err
	}
	return &verified{
		stmt:     st,
		payload:  payload,
		issuer:   KeyIssuer,
		identity: signer.fingerprint,
		timeErr:  reject(ErrNoVerifiedTime, "a bare DSSE envelope has no timestamp; sign into a bundle with a timestamp authority (zgate attestation sign --tsa)"),
	}, nil
}
