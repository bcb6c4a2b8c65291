package report

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/policydiff"
)

// PolicyGate is the gate name of the policy check: its check is
// "zgate/policy" (per base, as every check: [CheckNames]). A policy gate
// of that name would share it; the engine then leaves the name to the gate.
const PolicyGate = "policy"

// maxOwnerRows bounds the paths listed as losing owners; the rest are
// counted.
const maxOwnerRows = 50

// PolicyCheck renders the check of a pull request that changes the rules
// (`.github/zgate.yml`, CODEOWNERS): failure when the pull request's policy
// does not load, with every problem as an annotation on its line;
// otherwise what changes for each gate, neutral when a change weakens a
// gate (called out in bold) and success when none does. Neutral, not
// failure: a weaker gate may be what the team wants, and the base
// branch's gates, which still judge this pull request, decide who must
// agree to it; the check makes sure reviewers see it. Its name is
// "zgate/policy"; use [Content.WithName] for the per-base names.
func PolicyCheck(pc *facts.PolicyChange) Content {
	c := Content{Name: policy.CheckPrefix + PolicyGate, Status: StatusCompleted}
	var b strings.Builder
	if pc.ChangedUnknown {
		fmt.Fprintf(&b, "This pull request's file list is truncated, so it may change the rules (%s). Its own gates still use the base branch's version; this check says what changes once it is merged.\n\n", codeList(pc.Changed))
	} else {
		fmt.Fprintf(&b, "This pull request changes the rules: %s. Its own gates still use the base branch's version; this check says what changes once it is merged.\n\n", codeList(pc.Changed))
	}

	head := pc.Head
	var problems policy.ProblemList
	switch {
	case head.Policy == nil && errors.As(head.PolicyErr, &problems):
		c.Conclusion = ConclusionFailure
		c.Title = truncateLine(fmt.Sprintf("Policy does not load: %d %s in %s", len(problems), plural(len(problems), "problem", "problems"), head.PolicyFile), maxTitle)
		fmt.Fprintf(&b, "**`%s` does not load** at this pull request's head; fix every problem below (`zgate validate` prints the same):\n\n```\n", cell(head.PolicyFile))
		for _, p := range problems {
			b.WriteString(strings.ReplaceAll(p.String(), "```", "'''") + "\n")
			c.Annotations = append(c.Annotations, problemAnnotation(p, head.PolicyFile, LevelFailure))
		}
		b.WriteString("```\n")
	case head.Policy == nil && !errors.Is(head.PolicyErr, facts.ErrNoPolicy):
		c.Conclusion = ConclusionFailure
		c.Title = truncateLine("Policy cannot be read: "+head.PolicyFile, maxTitle)
		fmt.Fprintf(&b, "**`%s` cannot be read** at this pull request's head: %s\n", cell(head.PolicyFile), md(errString(head.PolicyErr)))
		c.Annotations = append(c.Annotations, problemAnnotation(policy.Problem{File: head.PolicyFile, Line: 1, Msg: errString(head.PolicyErr)}, head.PolicyFile, LevelFailure))
	default:
		r := policydiff.Compare(policydiff.Input{
			Old:             policydiff.Side{Policy: pc.Base.Policy, Codeowners: pc.Base.Codeowners},
			New:             policydiff.Side{Policy: head.Policy, Codeowners: head.Codeowners},
			CompareOwners:   pc.CodeownersChanged,
			Files:           pc.Files,
			FilesIncomplete: pc.FilesIncomplete,
		})
		c.Conclusion = ConclusionSuccess
		c.Title = "Policy change: no gate is weakened"
		if r.Weakens() {
			c.Conclusion = ConclusionNeutral
			c.Title = weakTitle(r)
		}
		renderDiff(&b, pc, r)
	}
	if co := head.Codeowners; co != nil && len(co.Problems) > 0 {
		fmt.Fprintf(&b, "\n`%s` has %d invalid %s, skipped as GitHub skips them (annotated).\n", cell(co.Path), len(co.Problems), plural(len(co.Problems), "line", "lines"))
		for _, p := range co.Problems {
			c.Annotations = append(c.Annotations, problemAnnotation(p, co.Path, LevelWarning))
		}
	}
	c.Summary = b.String()
	return c.sealed()
}

func weakTitle(r policydiff.Report) string {
	var what []string
	if gs := r.Weakened(); len(gs) > 0 {
		what = append(what, plural(len(gs), "gate ", "gates ")+strings.Join(gs, ", "))
	}
	if len(r.Owners) > 0 || r.OwnersUnknown != "" {
		what = append(what, "ownership")
	}
	return truncateLine("Policy change weakens "+strings.Join(what, " and "), maxTitle)
}

// renderDiff writes the per-gate table and the ownership section.
func renderDiff(b *strings.Builder, pc *facts.PolicyChange, r policydiff.Report) {
	switch {
	case pc.Head.Policy == nil:
		fmt.Fprintf(b, "**The policy file is deleted: once merged, the repository is no longer gated.**\n\n")
	case pc.Base.Policy == nil && errors.Is(pc.Base.PolicyErr, facts.ErrNoPolicy):
		fmt.Fprintf(b, "The base branch has no policy: `%s` gates the repository once merged.\n\n", cell(pc.Head.PolicyFile))
	case pc.Base.Policy == nil:
		fmt.Fprintf(b, "The base branch's policy does not load, so every gate of this version is listed as added.\n\n")
	}
	if len(r.Changes) == 0 {
		b.WriteString("No gate changes.\n")
	} else {
		b.WriteString("| Gate | Change |\n|---|---|\n")
		for _, ch := range r.Changes {
			text := md(ch.Text)
			gate := "`" + cell(ch.Gate) + "`"
			if ch.Weakens {
				text, gate = "**weaker: "+text+"**", "**"+gate+"**"
			}
			fmt.Fprintf(b, "| %s | %s |\n", gate, strings.ReplaceAll(text, "|", "\\|"))
		}
	}
	if !pc.CodeownersChanged {
		return
	}
	fmt.Fprintf(b, "\n### Ownership (%s → %s)\n\n", codeOr(pc.Base.CodeownersFile, "no CODEOWNERS"), codeOr(pc.Head.CodeownersFile, "no CODEOWNERS"))
	if r.OwnersUnknown != "" {
		fmt.Fprintf(b, "**Which paths lose owners is unknown: %s.** Compare the two files by hand.\n\n", md(r.OwnersUnknown))
	}
	if len(r.Owners) == 0 {
		fmt.Fprintf(b, "No path of the %d compared loses an owner.\n", r.OwnersCompared)
		return
	}
	unowned := 0
	for _, o := range r.Owners {
		if o.Unowned {
			unowned++
		}
	}
	fmt.Fprintf(b, "**%d of %d paths lose owners, %d of them every owner.**\n\n| Path | Owners lost |\n|---|---|\n", len(r.Owners), r.OwnersCompared, unowned)
	for i, o := range r.Owners {
		if i == maxOwnerRows {
			fmt.Fprintf(b, "| … | and %d more paths |\n", len(r.Owners)-maxOwnerRows)
			break
		}
		lost := md(strings.Join(o.Removed, ", "))
		if o.Unowned {
			lost = "**" + lost + " (no longer owned by anyone)**"
		}
		fmt.Fprintf(b, "| `%s` | %s |\n", cell(o.Path), strings.ReplaceAll(lost, "|", "\\|"))
	}
}

// problemAnnotation puts a problem on its line; its message is the line
// `zgate validate` prints. A problem without a position goes on line 1.
func problemAnnotation(p policy.Problem, file, level string) Annotation {
	if p.File == "" {
		p.File = file
	}
	a := Annotation{Path: file, StartLine: max(p.Line, 1), EndLine: max(p.Line, 1), Level: level, Message: p.String()}
	if p.Line > 0 && p.Column > 0 {
		a.StartColumn, a.EndColumn = p.Column, p.Column
	}
	return a
}

func codeList(files []string) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = "`" + cell(f) + "`"
	}
	return strings.Join(parts, ", ")
}

func codeOr(s, none string) string {
	if s == "" {
		return none
	}
	return "`" + cell(s) + "`"
}

func errString(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
