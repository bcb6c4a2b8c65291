package report

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zgate-dev/zgate/policy"
)

// PolicyError renders the check run for a policy that cannot be loaded:
// it fails, listing one FILE:LINE:COL line per problem. Its name is
// policy.ErrorCheckName; use [Content.WithName] to fail each known gate.
func PolicyError(file string, err error) Content {
	var lines []string
	var problems policy.ProblemList
	if errors.As(err, &problems) && len(problems) > 0 {
		for _, p := range problems {
			lines = append(lines, p.String())
		}
	} else {
		msg := "unknown error"
		if err != nil {
			msg = err.Error()
		}
		lines = []string{fmt.Sprintf("%s: %s", file, msg)}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Policy error** — `%s` on the base branch cannot be loaded, so every gate fails until it is fixed (a pull request cannot change its own gate: fix it on the base branch).\n\n```\n", cell(file))
	for _, l := range lines {
		b.WriteString(strings.ReplaceAll(l, "```", "'''"))
		b.WriteString("\n")
	}
	b.WriteString("```\n")
	c := Content{
		Name:       policy.ErrorCheckName,
		Status:     StatusCompleted,
		Conclusion: ConclusionFailure,
		Title:      truncateLine(fmt.Sprintf("Policy error: %s", firstLine(lines[0])), maxTitle),
		Summary:    b.String(),
	}
	return c.sealed()
}
