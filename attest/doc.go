// Package attest verifies attestations about a commit: Sigstore bundles
// (v0.1 to v0.3, as produced by GitHub's actions/attest) and keyed DSSE
// envelopes, against trusted roots loaded from files, and decides whether
// their in-toto statement is bound to a given commit of a given repository.
//
// The flow is: [LoadTrustedRoots] once, [NewVerifier] once (it caches
// results by bundle digest and is safe for concurrent use), then
// [Verifier.Verify] per bundle and [SignerPolicy.Check] per attestation
// control. [Verifier.VerifyArtifact] verifies any bundle (a message
// signature or a statement) against an artifact instead of a commit. [FetchBundles] reads bundles from GitHub's attestations API for the
// digests [SubjectDigests] computes; [SignKeyed] makes keyed attestations for
// CI systems without OIDC.
//
// Nothing on the verification path touches the network or the local clock:
// the signing time of an attestation is the verified timestamp (RFC 3161
// timestamp authority or transparency log), and an attestation without one is
// rejected with [ErrNoVerifiedTime].
//
// Every rejection wraps [ErrRejected] and one narrower sentinel
// ([ErrMalformed], [ErrUnverified] and its kinds, [ErrNoVerifiedTime],
// [ErrNotStatement], [ErrNotBound], [ErrSignerMismatch] and its kinds); its
// message is a reason a person can read in a check run.
//
// The commit-binding convention is documented in docs/attestations.md.
package attest
