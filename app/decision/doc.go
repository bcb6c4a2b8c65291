// Package decision signs the decision of a gate's Z (package
// github.com/zgate-dev/zgate/decision is the format): it builds the
// predicate from the facts the gate was decided on, signs it with the
// configured key into a Sigstore v0.3 bundle, timestamped when a timestamp
// authority is set, and uploads it to GitHub's attestations API. The engine
// records the bundle in the audit log.
package decision
