package attest

import (
	"errors"
	"fmt"
)

// ErrRejected is wrapped by every reason an attestation does not count.
var ErrRejected = errors.New("attestation rejected")

// Families of rejection reasons; each wraps [ErrRejected].
var (
	// ErrMalformed: the input is not a bundle or DSSE envelope that parses.
	ErrMalformed = fmt.Errorf("%w: malformed", ErrRejected)
	// ErrUnverified: the signature, certificate chain or log entry does not
	// verify against the trusted roots or keys.
	ErrUnverified = fmt.Errorf("%w: not verified", ErrRejected)
	// ErrNoVerifiedTime: no timestamp authority or transparency log vouches
	// for the signing time.
	ErrNoVerifiedTime = fmt.Errorf("%w: no verified signing time", ErrRejected)
	// ErrNotStatement: the signed payload is not an in-toto statement.
	ErrNotStatement = fmt.Errorf("%w: not an in-toto statement", ErrRejected)
	// ErrNotBound: the statement is not about the commit (or, for
	// VerifyArtifact, the artifact) asked for.
	ErrNotBound = fmt.Errorf("%w: not bound to the commit", ErrRejected)
	// ErrSignerMismatch: the signer is not the one the policy allows.
	ErrSignerMismatch = fmt.Errorf("%w: signer not allowed", ErrRejected)
)

// Kinds of [ErrUnverified].
var (
	// ErrUntrustedCA: the certificate does not chain to a trusted root.
	ErrUntrustedCA = fmt.Errorf("%w: untrusted certificate authority", ErrUnverified)
	// ErrCertificateExpired: the certificate was not valid at the verified
	// signing time.
	ErrCertificateExpired = fmt.Errorf("%w: certificate not valid at signing time", ErrUnverified)
	// ErrBadSignature: the signature does not match the payload (tampered
	// payload or another key).
	ErrBadSignature = fmt.Errorf("%w: bad signature", ErrUnverified)
	// ErrUnknownKey: a keyed attestation names no configured public key and
	// none verifies it.
	ErrUnknownKey = fmt.Errorf("%w: unknown key", ErrUnverified)
	// ErrCertificateTransparency: the certificate lacks a valid SCT from a
	// CT log of its trusted root (public-good instance).
	ErrCertificateTransparency = fmt.Errorf("%w: certificate transparency", ErrUnverified)
	// ErrTransparencyLog: the transparency log entry does not verify.
	ErrTransparencyLog = fmt.Errorf("%w: transparency log entry", ErrUnverified)
)

// Kinds of [ErrSignerMismatch], one per field of [SignerPolicy].
var (
	ErrIssuer            = fmt.Errorf("%w: issuer", ErrSignerMismatch)
	ErrIdentity          = fmt.Errorf("%w: identity", ErrSignerMismatch)
	ErrSourceRepository  = fmt.Errorf("%w: source repository", ErrSignerMismatch)
	ErrSignerWorkflow    = fmt.Errorf("%w: signer workflow", ErrSignerMismatch)
	ErrRunnerEnvironment = fmt.Errorf("%w: runner environment", ErrSignerMismatch)
	ErrPredicateType     = fmt.Errorf("%w: predicate type", ErrSignerMismatch)
)

// rejection is a rejection reason: Error is the human reason alone, while
// errors.Is reaches the sentinel kind and the underlying library error.
type rejection struct {
	kind   error
	reason string
	cause  error
}

func (r *rejection) Error() string { return r.reason }

func (r *rejection) Unwrap() []error {
	if r.cause == nil {
		return []error{r.kind}
	}
	return []error{r.kind, r.cause}
}

// reject builds a rejection of the given kind with a formatted reason.
func reject(kind error, format string, args ...any) error {
	return &rejection{kind: kind, reason: fmt.Sprintf(format, args...)}
}

// rejectCause is reject with an underlying error kept for errors.Is/As and
// appended to the reason.
func rejectCause(kind error, cause error, format string, args ...any) error {
	return &rejection{kind: kind, reason: fmt.Sprintf(format, args...) + ": " + cause.Error(), cause: cause}
}
