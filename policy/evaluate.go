package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// clockSkew is how far in the future a review, comment or attestation time
// may lie and still count. GitHub's clock, the timestamp authority and the
// evaluating host are different machines; a few minutes of drift must not
// reject a real approval, while anything dated further ahead is suspect and
// does not count (fail closed).
const clockSkew = 5 * time.Minute

// ErrorCheckName is the check name of the single [GateDecision] that
// [ErrorDecision] returns when the policy could not be loaded at all, so no
// gate name is known.
const ErrorCheckName = "zgate"

// Evaluate decides every gate of p for the pull request f describes, at time
// now. It returns one [GateDecision] per gate, in the policy's order, each
// with its state, an explanation per control, what is missing and when the
// decision expires.
//
// Evaluate is pure: it does no I/O and never reads the clock, so the same
// inputs always give the same decision. It never returns success when a fact
// it needs is missing (f.Unavailable, a truncated file list, an unusable
// CODEOWNERS): such gates fail with the reason. A nil p gives an empty
// decision; a nil f fails every gate closed.
func Evaluate(p *Policy, f *Facts, now time.Time) Decision {
	d := Decision{Gates: []GateDecision{}}
	if p == nil {
		return d
	}
	if f == nil {
		f = &Facts{Unavailable: []string{"no facts were gathered about the pull request"}}
	}
	ix := newFactsIndex(f)
	for i := range p.Gates {
		d.Gates = append(d.Gates, evaluateGate(&p.Gates[i], ix, now))
	}
	return d
}

// ErrorDecision is the decision for a policy that cannot be loaded (outcome
// 1 of the semantics): the App fails every check with it and `zgate
// simulate` prints it. When p is non-nil and names gates (a parser may
// return what it could read), every gate gets [StateError]; otherwise the
// decision holds one gate with an empty Name and Check [ErrorCheckName].
// The problems of a [ProblemList] are listed in Missing, one
// "fix FILE:LINE:COL: message" per problem.
func ErrorDecision(p *Policy, err error) Decision {
	if err == nil {
		err = errors.New("unknown error")
	}
	summary := "the policy cannot be loaded: " + firstErrLine(err.Error())
	var missing []string
	var problems ProblemList
	if errors.As(err, &problems) && len(problems) > 0 {
		for _, pr := range problems {
			missing = append(missing, "fix "+pr.String())
		}
	} else {
		missing = []string{"fix the policy file: " + err.Error()}
	}
	mk := func(name, check string, action ActionKind) GateDecision {
		return GateDecision{
			Name:     name,
			Check:    check,
			State:    StateError,
			Summary:  summary,
			Controls: []ControlResult{},
			Missing:  append([]string(nil), missing...),
			Action:   action,
		}
	}
	d := Decision{Gates: []GateDecision{}}
	if p != nil {
		for i := range p.Gates {
			g := &p.Gates[i]
			d.Gates = append(d.Gates, mk(g.Name, g.CheckName(), g.Then.Kind()))
		}
	}
	if len(d.Gates) == 0 {
		d.Gates = append(d.Gates, mk("", ErrorCheckName, ActionNone))
	}
	return d
}

// factsIndex is what every gate needs from the facts, computed once.
type factsIndex struct {
	f      *Facts
	author string // lower case
	bots   map[string]bool
	// teams maps a lower-case "org/team" slug to its members.
	teams map[string][]string
	// latest is each reviewer's deciding review, sorted by login.
	latest []latestReview
}

// latestReview is a reviewer's latest APPROVED, CHANGES_REQUESTED or
// DISMISSED review.
type latestReview struct {
	login  string // as GitHub spelled it
	key    string // lower case
	state  string // upper case
	commit string
	at     time.Time
}

func newFactsIndex(f *Facts) *factsIndex {
	ix := &factsIndex{
		f:      f,
		author: strings.ToLower(f.PullRequest.Author),
		bots:   map[string]bool{},
		teams:  map[string][]string{},
	}
	for _, b := range f.Bots {
		ix.bots[strings.ToLower(b)] = true
	}
	slugs := make([]string, 0, len(f.Teams))
	for s := range f.Teams {
		slugs = append(slugs, s)
	}
	// Sorted so that two slugs differing only in case resolve the same way
	// on every run.
	sort.Strings(slugs)
	for _, s := range slugs {
		k := strings.ToLower(s)
		if _, dup := ix.teams[k]; !dup {
			ix.teams[k] = f.Teams[s]
		}
	}
	if f.Deployment != nil {
		// A deployment is approved by approve-deploy comments, never by
		// the reviews that approved the merge.
		ix.latest = deployApprovals(f)
	} else {
		ix.latest = latestReviews(f.Reviews)
	}
	return ix
}

// isBot reports whether login is a bot: GitHub Apps end in "[bot]", and
// the facts may name others.
func (ix *factsIndex) isBot(login string) bool {
	k := strings.ToLower(login)
	return strings.HasSuffix(k, "[bot]") || ix.bots[k]
}

// isAuthor compares logins case-insensitively, as GitHub does.
func (ix *factsIndex) isAuthor(login string) bool {
	return ix.author != "" && strings.ToLower(login) == ix.author
}

// headSHA is the pull request's head commit, or the deployed commit when
// the facts are about a deployment.
func (ix *factsIndex) headSHA() string {
	if d := ix.f.Deployment; d != nil {
		return d.SHA
	}
	return ix.f.PullRequest.HeadSHA
}

func firstErrLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " (and more)"
	}
	return s
}

// shortSHA abbreviates a commit as GitHub shows it.
func abbrevSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	if sha == "" {
		return "(unknown commit)"
	}
	return sha
}

// fmtTime formats a time for explanations.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fmtDuration prints a window the way a policy writes it ("24h", "90m").
func windowString(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// joinOr lists names as "a, b or c".
func joinOr(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// plural picks the singular or plural noun for n.
func countNoun(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
