package engine

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/prcmd"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/policy"
)

// maxComment is GitHub's limit on a comment body, in characters.
const maxComment = 65536

// Explanation is the reply to /zgate explain: each gate's state and the
// explanation its check run shows, or why there is none. Mentions are
// defused (a zero-width space after @), so explaining "@acme/sre: approval
// from one of bob" notifies nobody.
func Explanation(res *facts.Result, dec *policy.Decision, why string, now time.Time) string {
	var b strings.Builder
	b.WriteString("**zgate explain**")
	if res != nil && res.HeadSHA != "" {
		fmt.Fprintf(&b, " at `%s`", abbrev(res.HeadSHA))
	}
	b.WriteString("\n\n")
	switch {
	case dec == nil:
		b.WriteString(why + "\n")
	case len(dec.Gates) == 0:
		b.WriteString("The policy has no gates.\n")
	}
	if dec != nil {
		for _, gd := range dec.Gates {
			c := report.CheckRun(res, gd, report.Options{Now: now})
			fmt.Fprintf(&b, "### %s: %s\n\n", gd.Check, c.Title)
			if gd.State == policy.StateSkipped {
				b.WriteString(gd.Summary + "\n\n")
				continue
			}
			b.WriteString(strings.TrimSpace(c.Summary) + "\n\n")
		}
	}
	return clipComment(defuseMentions(b.String()))
}

// helpReply answers an unknown command.
func helpReply(name string) string { return defuseMentions(prcmd.Help(name)) }

var mentionRE = regexp.MustCompile(`@([A-Za-z0-9])`)

// defuseMentions stops GitHub from notifying the users and teams a reply
// names: a comment by zgate must not page a team on every explain.
func defuseMentions(s string) string { return mentionRE.ReplaceAllString(s, "@\u200b$1") }

// clipComment keeps a body within GitHub's limit.
func clipComment(s string) string {
	const note = "\n\n(truncated: see the check runs)"
	if len([]rune(s)) <= maxComment {
		return s
	}
	r := []rune(s)
	return string(r[:maxComment-len([]rune(note))]) + note
}

func abbrev(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
