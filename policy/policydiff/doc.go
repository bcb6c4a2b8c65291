// Package policydiff compares two versions of a repository's rules, the
// gate policy and CODEOWNERS, and says what changes for each gate and
// which changes weaken one. It is the pure core of the `zgate/policy`
// check that zgate puts on pull requests changing those files: [Compare]
// takes both versions (and, for CODEOWNERS, the repository's files) and
// returns a [Report]; rendering and reading the files belong to the app.
//
// "Weakens" is conservative: a change is called weaker unless it provably
// makes the gate apply at least as often and ask for at least as much
// consent. A regular expression or glob that changed is weaker for that
// reason, even when it happens to be tighter. See docs/policy-check.md.
package policydiff
