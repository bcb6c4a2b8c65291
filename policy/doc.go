// Package policy is zgate's pure decision core: it decodes the gate policy
// file (.github/zgate.yml) and decides with [Evaluate] whether each gate of a
// pull request is open. CODEOWNERS parsing and matching, with GitHub's
// semantics, live in the leaf package [codeowners], which [Facts] carries.
//
// The package does no I/O and never reads the clock: everything it needs is
// passed in as a [Policy], a [Facts] snapshot and the evaluation time, so the
// same inputs always give the same [Decision]. The App, the Action and
// `zgate simulate` all share this one path.
package policy
