package policy

import (
	"fmt"
	"path"
	"strings"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

// condVerdict is the outcome of a gate's `if` block.
type condVerdict struct {
	holds bool
	// why explains a gate that does not apply.
	why string
	// failure is set when the conditions cannot be decided safely (a bad
	// pattern, a truncated file list): the gate fails closed.
	failure string
	// files are the changed files matching if.paths, or every changed file
	// when the gate names no paths.
	files []string
}

// checkConditions decides whether g applies: the base branch matches one
// of if.base (path.Match globs), the pull request carries one of if.labels,
// and one of its changed files matches one of if.paths. Empty lists hold.
func checkConditions(g *Gate, ix *factsIndex) condVerdict {
	pr := &ix.f.PullRequest
	if why, ok := environmentVerdict(g, ix.f); !ok {
		return condVerdict{why: why}
	}
	if len(g.If.Base) > 0 {
		matched := false
		for _, pat := range g.If.Base {
			ok, err := path.Match(pat, pr.Base)
			if err != nil {
				return condVerdict{failure: fmt.Sprintf("if.base pattern %q is invalid: %v", pat, err)}
			}
			if ok {
				matched = true
				break
			}
		}
		if !matched {
			return condVerdict{why: fmt.Sprintf("the base branch %q matches none of if.base (%s)", pr.Base, strings.Join(g.If.Base, ", "))}
		}
	}
	if len(g.If.Labels) > 0 && !hasAnyLabel(pr.Labels, g.If.Labels) {
		return condVerdict{why: fmt.Sprintf("the pull request carries none of the labels %s", strings.Join(g.If.Labels, ", "))}
	}
	if len(g.If.Paths) == 0 {
		return condVerdict{holds: true, files: pr.ChangedFiles}
	}
	pats := make([]*codeowners.Pattern, 0, len(g.If.Paths))
	for _, s := range g.If.Paths {
		pp, err := codeowners.CompilePattern(s)
		if err != nil {
			return condVerdict{failure: fmt.Sprintf("if.paths pattern %q is invalid: %v", s, err)}
		}
		pats = append(pats, pp)
	}
	var files []string
	for _, file := range pr.ChangedFiles {
		for _, pp := range pats {
			if pp.Match(file) {
				files = append(files, file)
				break
			}
		}
	}
	if pr.ChangedFilesTruncated {
		// Past GitHub's cap the unlisted files may match, or change owners:
		// neither skipping nor counting is safe.
		return condVerdict{failure: "the changed-file list is truncated (GitHub lists at most 3,000 files), so if.paths cannot be checked"}
	}
	if len(files) == 0 {
		if gf := gateFiles(pr.ChangedFiles); len(gf) > 0 {
			// A change to what protects the base is gated by it.
			return condVerdict{holds: true, files: gf}
		}
		return condVerdict{why: fmt.Sprintf("no changed file matches if.paths (%s)", strings.Join(g.If.Paths, ", "))}
	}
	return condVerdict{holds: true, files: files}
}

// PolicyPaths are where the policy file is read from on the base branch.
var PolicyPaths = []string{".github/zgate.yml", ".github/zgate.yaml"}

// gateFiles returns the changed files that decide the gates themselves:
// the policy file and CODEOWNERS, in any of their locations. A pull
// request changing one of them is gated by every gate whose if.base
// matches, whatever its if.paths (the design's rule: a pull request that
// edits the policy or CODEOWNERS is gated by the old ones); otherwise a
// pull request changing only them would skip every path-limited gate, and
// anyone with write access could merge a weakened policy with no approval.
// The teams are then the CODEOWNERS owners of these files.
func gateFiles(changed []string) []string {
	var out []string
	for _, f := range changed {
		for _, p := range append(PolicyPaths[:len(PolicyPaths):len(PolicyPaths)], codeowners.Locations...) {
			if f == p {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// hasAnyLabel compares labels case-insensitively, as GitHub names them.
func hasAnyLabel(have, want []string) bool {
	for _, w := range want {
		for _, h := range have {
			if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(w)) {
				return true
			}
		}
	}
	return false
}
