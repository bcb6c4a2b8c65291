package attest

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// verifyBundle verifies a Sigstore bundle signed with a Fulcio-style
// certificate or with a configured key. A DSSE statement is verified without
// an artifact (the caller checks its subjects); a message signature needs
// art, since what it signs is not in the bundle.
func (v *Verifier) verifyBundle(data []byte, art *Artifact) (*verified, error) {
	b := &bundle.Bundle{}
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, rejectCause(ErrMalformed, err, "not a valid Sigstore bundle")
	}
	var payloadType string
	var payload []byte
	// A fresh option per verification: one made from the artifact's bytes
	// reads them once.
	artifact := verify.WithoutArtifactUnsafe
	if env, err := b.Envelope(); err == nil {
		raw := env.RawEnvelope()
		if payload, err = base64.StdEncoding.DecodeString(raw.Payload); err != nil {
			return nil, rejectCause(ErrMalformed, err, "DSSE payload is not base64")
		}
		payloadType = raw.PayloadType
	} else if art == nil {
		return nil, reject(ErrNotStatement, "bundle signs a message, not an attestation (no DSSE envelope)")
	} else {
		artifact = art.policyOption
	}
	vc, err := b.VerificationContent()
	if err != nil {
		return nil, rejectCause(ErrMalformed, err, "bundle has no verification material")
	}
	var vd *verified
	switch {
	case vc.Certificate() != nil:
		vd, err = v.verifyKeyless(b, vc.Certificate(), artifact)
	case vc.PublicKey() != nil:
		vd, err = v.verifyKeyedBundle(b, vc.PublicKey().Hint(), artifact)
	default:
		err = reject(ErrMalformed, "bundle has neither a certificate nor a public key")
	}
	if err != nil {
		return nil, err
	}
	if payload == nil {
		return vd, nil // a message signature, verified against art
	}
	// Only the verified payload is read: sigstore-go checked the signature
	// over exactly these bytes (DSSE pre-authentication encoding).
	vd.stmt, err = parseStatement(payloadType, payload)
	if err != nil {
		return nil, err
	}
	vd.payload = payload
	return vd, nil
}

// verifyPolicy leaves the identity check to zgate (SignerPolicy, per
// control, so one verification serves every control), and for a statement
// the artifact too: the artifact is the commit (checkBinding) or a subject
// digest (matchSubject).
func verifyPolicy(artifact func() verify.ArtifactPolicyOption) verify.PolicyBuilder {
	return verify.NewPolicy(artifact(), verify.WithoutIdentitiesUnsafe())
}

// verifyKeyless verifies a certificate-signed bundle against the instance
// whose CA has the organization of the leaf's issuer, as gh does.
func (v *Verifier) verifyKeyless(b *bundle.Bundle, leaf *x509.Certificate, artifact func() verify.ArtifactPolicyOption) (*verified, error) {
	instances := v.roots.forIssuer(leaf)
	if len(instances) == 0 {
		return nil, reject(ErrUntrustedCA, "certificate issued by %q, which is not a trusted certificate authority", leaf.Issuer.String())
	}
	var firstErr error
	for _, in := range instances {
		res, err := in.verifier.Verify(b, verifyPolicy(artifact))
		if err != nil {
			if firstErr == nil {
				firstErr = in.diagnose(b, leaf, err)
			}
			continue
		}
		return keylessResult(res)
	}
	return nil, firstErr
}

func keylessResult(res *verify.VerificationResult) (*verified, error) {
	if res.Signature == nil || res.Signature.Certificate == nil {
		return nil, reject(ErrUnverified, "bundle verified without a certificate")
	}
	at, ok := earliest(res.VerifiedTimestamps)
	if !ok {
		return nil, reject(ErrNoVerifiedTime, "no timestamp authority or transparency log vouches for the signing time")
	}
	c := res.Signature.Certificate
	return &verified{
		issuer:            c.Issuer,
		identity:          c.SubjectAlternativeName,
		sourceRepository:  c.SourceRepositoryURI,
		signerWorkflow:    c.BuildSignerURI,
		runnerEnvironment: c.RunnerEnvironment,
		signedAt:          at,
	}, nil
}

// earliest returns the earliest verified timestamp: the most conservative
// signing time for a window.
func earliest(ts []verify.TimestampVerificationResult) (time.Time, bool) {
	var at time.Time
	for _, t := range ts {
		if t.Type == "CurrentTime" {
			continue // never counts as a signing time
		}
		if at.IsZero() || t.Timestamp.Before(at) {
			at = t.Timestamp
		}
	}
	return at.UTC(), !at.IsZero()
}

// diagnose turns sigstore-go's failure into one reason by replaying its
// steps from the most fundamental: chain to a trusted CA, log entry,
// timestamps, validity at the signing time, and finally the signature.
func (in *instance) diagnose(b *bundle.Bundle, leaf *x509.Certificate, cause error) error {
	chains, err := in.chains(b, leaf)
	if err != nil {
		return rejectCause(ErrUntrustedCA, err, "certificate does not chain to a trusted root")
	}
	tlogTimes, err := in.verifier.VerifyTransparencyLogInclusion(b)
	if err != nil {
		// The log check also compares its time with the certificate's.
		if entries, e := b.TlogEntries(); e == nil {
			for _, en := range entries {
				// Rekor v2 entries have no integrated time (zero): their
				// failure is the inclusion proof, not the certificate.
				if at := en.IntegratedTime(); !at.IsZero() && (at.Before(leaf.NotBefore) || at.After(leaf.NotAfter)) {
					return expired(leaf, at)
				}
			}
		}
		return rejectCause(ErrTransparencyLog, err, "transparency log entry does not verify")
	}
	times, err := in.verifier.VerifyObserverTimestamps(b, tlogTimes)
	if err != nil {
		if stamps, e := b.Timestamps(); e == nil && len(stamps) == 0 && len(tlogTimes) == 0 {
			return reject(ErrNoVerifiedTime, "bundle carries no timestamp from a timestamp authority or transparency log")
		}
		return rejectCause(ErrNoVerifiedTime, err, "no trusted timestamp vouches for the signing time")
	}
	for _, t := range times {
		if t.Timestamp.Before(leaf.NotBefore) || t.Timestamp.After(leaf.NotAfter) {
			return expired(leaf, t.Timestamp)
		}
	}
	if in.requireSCT {
		if err := verify.VerifySignedCertificateTimestamp(chains, 1, in.root); err != nil {
			return rejectCause(ErrCertificateTransparency, err, "certificate has no valid signed certificate timestamp from a trusted CT log")
		}
	}
	var ce *certificate.ErrCompareExtensions
	if errors.As(cause, &ce) {
		return rejectCause(ErrUnverified, cause, "certificate does not verify")
	}
	return rejectCause(ErrBadSignature, cause, "signature does not verify (tampered payload or another key)")
}

// chains checks the leaf against the instance's CAs at the leaf's own
// start time, to tell an untrusted CA from an expired certificate.
func (in *instance) chains(b *bundle.Bundle, leaf *x509.Certificate) ([][]*x509.Certificate, error) {
	inter := in.inter.Clone()
	if vc, err := b.VerificationContent(); err == nil {
		for _, c := range vc.Intermediates() {
			inter.AddCert(c)
		}
	}
	l := *leaf
	l.UnhandledCriticalExtensions = slices.DeleteFunc(slices.Clone(l.UnhandledCriticalExtensions), func(o asn1.ObjectIdentifier) bool {
		return o.Equal(cryptoutils.SANOID)
	})
	chains, err := l.Verify(x509.VerifyOptions{
		Roots:         in.pool,
		Intermediates: inter,
		CurrentTime:   leaf.NotBefore,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	})
	if err != nil {
		return nil, fmt.Errorf("chain: %w", err)
	}
	return chains, nil
}

func expired(leaf *x509.Certificate, at time.Time) error {
	return reject(ErrCertificateExpired, "certificate valid from %s to %s was used at %s",
		leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
}
