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
// public key hint: the signature against the configured key of that hint,
// then the RFC 3161 timestamps against the trusted roots' timestamp
// authorities. A keyed bundle without a verified timestamp verifies but
// does not count (timeErr).
func (v *Verifier) verifyKeyedBundle(b *bundle.Bundle, hint string) (*verified, error) {
	k := v.keys.lookup(hint)
	if k == nil {
		return nil, reject(ErrUnknownKey, "signed with key %q, which is not a configured public key", hint)
	}
	material := v.keys.material()
	sigVerifier, err := verify.NewVerifier(material, verify.WithNoObserverTimestamps())
	if err != nil {
		return nil, rejectCause(ErrUnverified, err, "keyed verifier")
	}
	policy := verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithKey())
	if _, err := sigVerifier.Verify(b, policy); err != nil {
		return nil, rejectCause(ErrBadSignature, err, "signature does not verify with key %s (tampered payload or another key)", k.fingerprint)
	}
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
		issuer:   KeyIssuer,
		identity: signer.fingerprint,
		timeErr:  reject(ErrNoVerifiedTime, "a bare DSSE envelope has no timestamp; sign into a bundle with a timestamp authority (zgate attestation sign --tsa)"),
	}, nil
}
