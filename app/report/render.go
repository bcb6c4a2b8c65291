package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// maxTitle keeps titles to one line in GitHub's UI.
const maxTitle = 120

func title(d policy.GateDecision, waits []policy.GateDecision) string {
	var t string
	switch d.State {
	case policy.StateSuccess:
		if d.Override != nil {
			t = "Open by break-glass override"
		} else {
			t = "Open: " + held(d)
		}
		if len(waits) > 0 {
			t += "; the merge waits for " + gateList(waits, false)
		}
	case policy.StatePending:
		t = "Pending: " + held(d)
	case policy.StateSkipped:
		t = "Skipped: the gate does not apply"
	case policy.StateError:
		t = "Policy error: " + strings.TrimPrefix(firstLine(d.Summary), "the policy cannot be loaded: ")
	default:
		t = "Blocked: " + firstLine(d.Summary)
	}
	return truncateLine(t, maxTitle)
}

// held says "2 of 3 controls hold (quorum 2)".
func held(d policy.GateDecision) string {
	n := 0
	for _, c := range d.Controls {
		if c.Held {
			n++
		}
	}
	return fmt.Sprintf("%d of %s (quorum %d)", n, policy.ControlsHold(len(d.Controls)), d.Quorum)
}

func summary(res *facts.Result, gate *policy.Gate, d policy.GateDecision, exec *store.Execution, waits []policy.GateDecision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** — %s\n", stateWord(d.State), md(d.Summary))
	if gate != nil && gate.Description != "" {
		fmt.Fprintf(&b, "\n_%s_\n", md(gate.Description))
	}
	if d.State == policy.StateError {
		writeProblems(&b, d.Missing)
		return b.String()
	}
	if len(d.Controls) > 0 {
		writeControls(&b, d.Controls)
	}
	if d.Override != nil {
		b.WriteString("\n### Break-glass override\n\n")
		for i, by := range d.Override.By {
			reason := ""
			if i < len(d.Override.Reasons) {
				reason = d.Override.Reasons[i]
			}
			fmt.Fprintf(&b, "- %s: %s\n", md(by), md(reason))
		}
	}
	if len(d.Missing) > 0 && d.State != policy.StateSuccess && d.State != policy.StateSkipped {
		b.WriteString("\n### What is missing\n\n")
		for _, m := range d.Missing {
			fmt.Fprintf(&b, "- %s\n", md(m))
		}
	}
	if d.ExpiresAt != nil && d.State != policy.StateSkipped {
		fmt.Fprintf(&b, "\n### Window\n\nThe oldest counted control leaves the window at **%s**; zgate re-evaluates then.\n", stamp(*d.ExpiresAt))
	}
	if d.State != policy.StateSkipped {
		writeAction(&b, res, gate, d, exec)
		writeWaits(&b, d, waits)
	}
	writeNotes(&b, d)
	return b.String()
}

func stateWord(s policy.State) string {
	switch s {
	case policy.StateSuccess:
		return "Open"
	case policy.StatePending:
		return "Pending"
	case policy.StateSkipped:
		return "Skipped"
	case policy.StateError:
		return "Policy error"
	}
	return "Blocked"
}

func writeControls(b *strings.Builder, controls []policy.ControlResult) {
	b.WriteString("\n| Control | Held | By | Commit | When | Details |\n|---|:-:|---|---|---|---|\n")
	for _, c := range controls {
		id := "`" + cell(strings.ReplaceAll(c.ID, "`", "'")) + "`"
		if c.Kind == policy.ControlAttestation || c.Kind == policy.ControlDecision {
			id += " (" + string(c.Kind) + ")"
		}
		if c.Required {
			id += " **required**"
		}
		mark := "❌"
		if c.Held {
			mark = "✅"
		}
		by, commit, when := "—", "—", "—"
		if c.By != "" {
			by = cell(c.By)
			if c.Kind == policy.ControlTeam {
				by = "@" + by
			}
		}
		if c.Commit != "" {
			commit = "`" + abbrev(c.Commit) + "`"
		}
		if c.At != nil {
			when = stamp(*c.At)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", id, mark, by, commit, when, cell(c.Reason))
	}
}

func writeProblems(b *strings.Builder, missing []string) {
	b.WriteString("\nEvery gate fails until the policy on the base branch is fixed:\n\n```\n")
	for _, m := range missing {
		b.WriteString(strings.ReplaceAll(strings.TrimPrefix(m, "fix "), "```", "'''"))
		b.WriteString("\n")
	}
	b.WriteString("```\n")
}

func writeAction(b *strings.Builder, res *facts.Result, gate *policy.Gate, d policy.GateDecision, exec *store.Execution) {
	head := ""
	if res != nil && res.HeadSHA != "" {
		head = " at head `" + abbrev(res.HeadSHA) + "`"
	}
	b.WriteString("\n### Z\n\n")
	switch {
	case gate != nil && gate.Then.Merge != nil:
		fmt.Fprintf(b, "When the gate opens, zgate merges this pull request (%s)%s, guarded by that SHA: a new push means a new evaluation, never a merge of unapproved code.\n", md(gate.Then.Merge.Method), head)
	case gate != nil && gate.Then.Dispatch != nil:
		fmt.Fprintf(b, "When the gate opens, zgate dispatches the workflow `%s` on `%s` once%s.\n", cell(gate.Then.Dispatch.Workflow), cell(gate.Then.Dispatch.Ref), head)
	case gate != nil && gate.Then.RepositoryDispatch != nil:
		fmt.Fprintf(b, "When the gate opens, zgate sends the repository_dispatch event `%s` once%s.\n", cell(gate.Then.RepositoryDispatch.EventType), head)
	case d.Action != "" && d.Action != policy.ActionNone:
		fmt.Fprintf(b, "When the gate opens, zgate runs %s%s.\n", d.Action, head)
	default:
		b.WriteString("This gate only reports: it runs no action when it opens.\n")
	}
	if exec != nil {
		fmt.Fprintf(b, "\n%s\n", executionLine(exec))
	}
}

// writeWaits says which other gates a merge by an open gate waits for: a
// merge ends every gate of the pull request, so it needs all that apply.
func writeWaits(b *strings.Builder, d policy.GateDecision, waits []policy.GateDecision) {
	if d.State != policy.StateSuccess || len(waits) == 0 {
		return
	}
	fmt.Fprintf(b, "\n⏳ **The merge waits for %s.** This gate holds, but zgate merges only when every gate that applies to the pull request holds (gates that do not apply are skipped and do not block).\n", gateList(waits, true))
}

// gateList names gates as "`production` (pending) and `docs` (failure)",
// or without the backquotes and states for a one-line title.
func gateList(gs []policy.GateDecision, long bool) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
		if long {
			names[i] = fmt.Sprintf("`%s` (%s)", cell(g.Name), g.State)
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func executionLine(e *store.Execution) string {
	id := "`" + e.ID + "`"
	detail := ""
	if e.Detail != "" {
		detail = ": " + md(e.Detail)
	}
	switch e.Status {
	case store.ExecDone:
		return fmt.Sprintf("✅ Done (%s, execution %s) at %s%s.", e.Kind, id, stamp(e.Updated), detail)
	case store.ExecConfirmed:
		return fmt.Sprintf("✅ Confirmed by a person (%s, execution %s) at %s%s.", e.Kind, id, stamp(e.Updated), detail)
	case store.ExecUnknown:
		return fmt.Sprintf("⚠️ **Outcome unknown** (%s, execution %s): the call may or may not have reached GitHub, and zgate will not repeat it on a guess. A person must check whether it ran and confirm%s.", e.Kind, id, detail)
	case store.ExecFailed:
		return fmt.Sprintf("❌ Failed (%s, execution %s) at %s%s; zgate re-evaluates before any new attempt.", e.Kind, id, stamp(e.Updated), detail)
	default:
		return fmt.Sprintf("⏳ In progress (%s, execution %s) since %s.", e.Kind, id, stamp(e.Created))
	}
}

func writeNotes(b *strings.Builder, d policy.GateDecision) {
	var notes []string
	notes = append(notes, d.Notes...)
	for _, c := range d.Controls {
		for _, n := range c.Notes {
			notes = append(notes, c.ID+": "+n)
		}
	}
	if len(notes) == 0 {
		return
	}
	fmt.Fprintf(b, "\n<details><summary>Not counted (%d)</summary>\n\n", len(notes))
	for _, n := range notes {
		fmt.Fprintf(b, "- %s\n", md(n))
	}
	b.WriteString("\n</details>\n")
}

// stamp formats a time in UTC, to the minute, the same on every render.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func abbrev(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// md neutralises text from GitHub users (logins, comments, file names) so
// it cannot inject HTML or break the layout; Markdown emphasis stays.
func md(s string) string {
	return mdReplacer.Replace(s)
}

// mdReplacer is md's replacer, built once: building one per call (its
// lookup table) was the largest allocation of an evaluation. A Replacer
// is immutable and safe for concurrent use.
var mdReplacer = strings.NewReplacer("<", "&lt;", ">", "&gt;", "\r", "", "\n", " ")

// cell is md plus escaped pipes, for table cells.
func cell(s string) string { return strings.ReplaceAll(md(s), "|", "\\|") }
