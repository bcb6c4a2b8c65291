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
		return condVerdict{why: fmt.Sprintf("no changed file matches if.paths (%s)", strings.Join(g.If.Paths, ", "))}
	}
	return condVerdict{holds: true, files: files}
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
