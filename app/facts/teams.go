package facts

import (
	"sort"
	"strings"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// NeededTeams returns the "org/team" slugs whose members the policy may
// need for this pull request: the CODEOWNERS owners of the changed files
// matching each gate's if.paths (all changed files when a gate has none, or
// a pattern does not compile), the explicit team lists, required teams and
// override teams. Users and emails need no lookup. Sorted, deduplicated
// case-insensitively.
func NeededTeams(p *policy.Policy, co *codeowners.File, files []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(owner string) {
		if codeowners.OwnerKind(owner) != codeowners.OwnerTeam {
			return
		}
		slug := strings.TrimPrefix(owner, "@")
		if k := strings.ToLower(slug); !seen[k] {
			seen[k] = true
			out = append(out, slug)
		}
	}
	for i := range p.Gates {
		g := &p.Gates[i]
		if g.Controls.Teams.FromCodeowners && co != nil {
			for _, o := range co.OwnersOf(matching(g.If.Paths, files)) {
				add(o)
			}
		}
		for _, o := range g.Controls.Teams.From {
			add(o)
		}
		for _, o := range g.Required {
			add(o)
		}
		if g.Override != nil {
			for _, o := range g.Override.Teams {
				add(o)
			}
		}
	}
	sort.Strings(out)
	return out
}

// matching returns the files matching any of patterns, or all files when
// there are no patterns or one does not compile (reading more teams than
// needed is safe; fewer is not).
func matching(patterns, files []string) []string {
	if len(patterns) == 0 {
		return files
	}
	compiled := make([]*codeowners.Pattern, 0, len(patterns))
	for _, s := range patterns {
		pp, err := codeowners.CompilePattern(s)
		if err != nil {
			return files
		}
		compiled = append(compiled, pp)
	}
	var out []string
	for _, f := range files {
		for _, pp := range compiled {
			if pp.Match(f) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}
