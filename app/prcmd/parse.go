package prcmd

import (
	"strings"
	"unicode/utf8"
)

// Prefix starts every command.
const Prefix = "/zgate"

// Command names.
const (
	// Recheck re-evaluates the pull request now; zgate answers with a
	// reaction.
	Recheck = "recheck"
	// Explain replies with each gate's explanation as a comment.
	Explain = "explain"
	// Override is the break-glass vote "/zgate override <reason>",
	// counted by the policy (it needs no answer).
	Override = "override"
	// ApproveDeploy is "/zgate approve-deploy ENV [SHA]", a team approval
	// of a deployment counted by the policy (it needs no answer).
	ApproveDeploy = "approve-deploy"
)

// MaxName bounds the name kept of an unknown command.
const MaxName = 40

// Command is the first command of a comment.
type Command struct {
	// Name is the word after the prefix, as written ("" for a bare
	// "/zgate"), at most MaxName bytes.
	Name string
	// Args is the rest of the line, trimmed.
	Args string
}

// Known reports whether c is one of zgate's commands.
func (c Command) Known() bool {
	switch c.Name {
	case Recheck, Explain, Override, ApproveDeploy:
		return true
	}
	return false
}

// Parse returns the first command of a comment body: the first line that,
// after leading blanks, is the prefix alone or followed by white space.
// A quoted line ("> /zgate recheck") or a longer word ("/zgateway") is
// not a command. ok is false when the body holds none.
func Parse(body string) (c Command, ok bool) {
	for line := range strings.SplitSeq(body, "\n") {
		line = strings.TrimSpace(line)
		rest, found := strings.CutPrefix(line, Prefix)
		if !found || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return Command{}, true
		}
		name := fields[0]
		args := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), name))
		return Command{Name: clip(name, MaxName), Args: args}, true
	}
	return Command{}, false
}

// clip shortens s to at most n bytes without splitting a rune.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Help is the short reply to an unknown command: what it was and the list
// of commands. The name is shown as code with backticks removed, so a
// comment cannot smuggle Markdown (or mentions) into zgate's reply.
func Help(name string) string {
	var b strings.Builder
	if name == "" {
		b.WriteString("`" + Prefix + "` needs a command.")
	} else {
		b.WriteString("Unknown command `" + Prefix + " " + strings.ReplaceAll(name, "`", "") + "`.")
	}
	b.WriteString(" zgate understands:\n\n")
	b.WriteString("- `" + Prefix + " " + Recheck + "`: evaluate the gates again now (answered with a reaction)\n")
	b.WriteString("- `" + Prefix + " " + Explain + "`: reply with each gate's explanation\n")
	b.WriteString("- `" + Prefix + " " + Override + " <reason>`: break-glass vote, where the policy allows an override\n")
	b.WriteString("- `" + Prefix + " " + ApproveDeploy + " <environment> [<commit>]`: approve a deployment of this pull request's commit\n")
	return b.String()
}
