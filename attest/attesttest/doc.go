// Package attesttest builds real Sigstore instances in memory for tests and
// the demo: a GitHub-shaped instance ([NewGitHubInstance]: a "GitHub, Inc."
// CA with one or two intermediates issuing Fulcio-style certificates with
// GitHub's OIDC extensions, and an RFC 3161 timestamp authority), and a
// public-good-shaped one ([NewPublicGood], over sigstore-go's
// VirtualSigstore: transparency log and timestamps). Both sign real v0.3
// bundle JSON and export their trusted root JSON, so package attest is
// tested without stubbing any verification.
package attesttest
