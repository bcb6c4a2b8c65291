package report

import (
	"strings"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/policy"
)

// Check names. A check protects one base branch: a head commit can be the
// head of several pull requests into several bases, each judged by its own
// base's policy, and an evaluation against one base must never turn green
// the check that protects another. So every check is named after the base
// its evaluation used, "zgate/<gate>: <base>" ("zgate: <base>" for the
// policy error check), and only that evaluation writes it. A git branch
// name cannot contain ": " (git check-ref-format forbids ':'), so the name
// is unambiguous.
//
// The names without a base, "zgate/<gate>" and "zgate", existed before and
// stay for the repository's default branch only: an evaluation writes them
// only when the pull request's base is the default branch (as GitHub
// reports it in base.repo.default_branch), so a pull request into any
// other branch can never touch them. Protecting another branch needs its
// per-base name.
//
// The App (check runs, the guard against foreign statuses) and the Action
// (commit statuses) both take their names from here.
const baseSep = ": "

// CheckName is the check that reports gate (the policy error check when
// gate is "") for pull requests into base.
func CheckName(gate, base string) string {
	return LegacyCheckName(gate) + baseSep + base
}

// LegacyCheckName is the check name without a base, "zgate/<gate>" or
// "zgate": it means "for the default branch".
func LegacyCheckName(gate string) string {
	if gate == "" {
		return policy.ErrorCheckName
	}
	return policy.CheckPrefix + gate
}

// CheckNames are the names an evaluation of a pull request into base
// writes for gate ("" for the error check): the per-base name, and the
// legacy name too when base is the repository's default branch. An
// unknown default branch ("") never matches: the legacy name is then not
// written (fail closed: a branch protection requiring it keeps waiting).
func CheckNames(gate, base, defaultBranch string) []string {
	names := []string{CheckName(gate, base)}
	if base != "" && base == defaultBranch {
		names = append(names, LegacyCheckName(gate))
	}
	return names
}

// Names are [CheckNames] for the pull request res describes.
func Names(res *facts.Result, gate string) []string {
	return CheckNames(gate, res.BaseRef, DefaultBranch(res))
}

// DefaultBranch is the default branch of the pull request's base
// repository, "" when GitHub did not say.
func DefaultBranch(res *facts.Result) string {
	if res == nil || res.PR == nil {
		return ""
	}
	return res.PR.GetBase().GetRepo().GetDefaultBranch()
}

// ClaimsCheck reports whether a check or status name claims to be one of
// zgate's: "zgate", "zgate: <base>", "zgate/<anything>". Such a name set by
// anyone but zgate could satisfy branch protection in a gate's place.
func ClaimsCheck(name string) bool {
	return name == policy.ErrorCheckName || strings.HasPrefix(name, policy.ErrorCheckName+baseSep) || strings.HasPrefix(name, policy.CheckPrefix)
}

// CheckBase returns the base branch a zgate check name is for: the base of
// a per-base name, or def (the default branch) for a legacy name. ok is
// false for a name that does not claim to be zgate's.
func CheckBase(name, def string) (base string, ok bool) {
	if !ClaimsCheck(name) {
		return "", false
	}
	if _, b, found := strings.Cut(name, baseSep); found {
		return b, true
	}
	return def, true
}
