// Package decision is the signed gate decision: the in-toto predicate
// ([PredicateType]) zgate signs when a gate performs its action, so that a
// commit can be shown to have passed the two-person rule after the fact
// and outside GitHub.
//
// [Predicate] is the schema, [Decode] its strict decoder, [Statement] the
// statement about the decided commits, and [Verify] checks a bundle with
// package attest and returns the decision it carries. Signing and upload
// happen in app/decision; docs/attestations.md documents the schema.
package decision
