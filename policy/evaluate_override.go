package policy

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// overrideCommand is the break-glass command; it must start a comment line
// and be followed by a non-empty reason.
const overrideCommand = "/zgate override"

// overrideReason returns the reason of the first line of body that is an
// override command. Leading blanks on the line are allowed; the command
// word must be followed by white space and a reason.
func overrideReason(body string) (reason string, ok bool) {
	for line := range strings.SplitSeq(body, "\n") {
		line = strings.TrimSpace(line)
		rest, found := strings.CutPrefix(line, overrideCommand)
		if !found || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		if r := strings.TrimSpace(rest); r != "" {
			return r, true
		}
	}
	return "", false
}

// overrideVerdict is the outcome of a gate's break-glass rule.
type overrideVerdict struct {
	result *OverrideResult // non-nil when the override opens the gate
	// expires is when the override stops holding: when fewer than need
	// counted comments remain inside the window.
	expires time.Time
	notes   []string
	// have counts the distinct people whose override counts.
	have, need int
	// members are the people who may override: members of the override
	// teams who are neither the author, pushers nor bots.
	members []string
	// voted holds the lower-case logins whose override counts.
	voted map[string]bool
}

// judgeOverride counts distinct members of the override teams (not the
// author, not pushers under rule, not bots) whose "/zgate override
// <reason>" comment is inside the window, was never edited and was made
// at or after the head was first seen: an override binds to the head it
// was given on, so a push after it needs a new one. Each person's latest
// valid command is the one recorded.
func judgeOverride(o *Override, rule PusherRule, ix *factsIndex, window time.Duration, now time.Time) overrideVerdict {
	v := overrideVerdict{need: max(o.Approvals, 1)}
	isMem := map[string]bool{}
	for _, id := range o.Teams {
		tc, ok := resolveTeam(ix, id)
		if !ok {
			v.notes = append(v.notes, fmt.Sprintf("override team %q is neither @user nor @org/team", id))
			continue
		}
		if !tc.known {
			v.notes = append(v.notes, fmt.Sprintf("override team %s has no known members", tc.id))
		}
		for _, m := range tc.members {
			k := strings.ToLower(m)
			if !isMem[k] && !ix.isAuthor(m) && !ix.isBot(m) && ix.pusherWhy(m, rule) == "" {
				v.members = append(v.members, m)
			}
			isMem[k] = true
		}
	}
	sort.Slice(v.members, func(a, b int) bool { return strings.ToLower(v.members[a]) < strings.ToLower(v.members[b]) })

	comments := ix.f.Comments
	order := make([]int, len(comments))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return comments[order[a]].CreatedAt.Before(comments[order[b]].CreatedAt) })
	type vote struct {
		login, reason string
		at            time.Time
	}
	votes := map[string]vote{}
	for _, i := range order {
		c := comments[i]
		reason, ok := overrideReason(c.Body)
		if !ok {
			continue
		}
		var why string
		switch {
		case ix.isAuthor(c.User):
			why = "the author cannot override their own gate"
		case ix.pusherWhy(c.User, rule) != "":
			why = ix.pusherWhy(c.User, rule) + " and cannot override"
		case ix.isBot(c.User):
			why = "bots cannot override"
		case !isMem[strings.ToLower(c.User)]:
			why = "not a member of " + joinOr(o.Teams)
		case c.UpdatedAt != nil && c.UpdatedAt.After(c.CreatedAt):
			why = fmt.Sprintf("edited at %s (an edited override never counts: post a new one)", rfc3339(*c.UpdatedAt))
		case c.CreatedAt.After(now.Add(clockSkew)):
			why = fmt.Sprintf("dated %s, in the future", rfc3339(c.CreatedAt))
		case now.Sub(c.CreatedAt) > window:
			why = fmt.Sprintf("made at %s, outside the %s window", rfc3339(c.CreatedAt), windowString(window))
		case ix.f.PullRequest.HeadSeenAt == nil:
			why = fmt.Sprintf("when the head %s was first seen is unknown, so the override cannot be tied to it", abbrevSHA(ix.headSHA()))
		case c.CreatedAt.Before(*ix.f.PullRequest.HeadSeenAt):
			why = fmt.Sprintf("made at %s, before the head %s was first seen at %s (an override holds only for the head it was given on)",
				rfc3339(c.CreatedAt), abbrevSHA(ix.headSHA()), rfc3339(*ix.f.PullRequest.HeadSeenAt))
		}
		if why != "" {
			v.notes = append(v.notes, fmt.Sprintf("%s's override does not count: %s", c.User, why))
			continue
		}
		votes[strings.ToLower(c.User)] = vote{login: c.User, reason: reason, at: c.CreatedAt}
	}
	keys := make([]string, 0, len(votes))
	for k := range votes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	v.have = len(keys)
	v.voted = map[string]bool{}
	for _, k := range keys {
		v.voted[k] = true
	}
	if v.have < v.need {
		return v
	}
	v.result = &OverrideResult{By: []string{}, Reasons: []string{}}
	times := make([]time.Time, 0, len(keys))
	for _, k := range keys {
		vt := votes[k]
		v.result.By = append(v.result.By, vt.login)
		v.result.Reasons = append(v.result.Reasons, vt.reason)
		times = append(times, vt.at)
	}
	// The override holds while need of the comments are in the window: it
	// lapses when the need-th freshest one leaves.
	sort.Slice(times, func(a, b int) bool { return times[a].After(times[b]) })
	v.expires = times[v.need-1].Add(window)
	return v
}

// overrideMissing says what would open the gate by override.
func overrideMissing(v overrideVerdict) string {
	var who []string
	for _, m := range v.members {
		if !v.voted[strings.ToLower(m)] {
			who = append(who, m)
		}
	}
	n := v.need - v.have
	if len(who) < n {
		return "or break glass: not enough members of the override teams (other than the author, pushers and bots) to override"
	}
	noun := "comment"
	if n > 1 {
		noun = "comments"
	}
	return fmt.Sprintf("or break glass: %d more %q %s from %s", n, overrideCommand+" <reason>", noun, joinOr(who))
}
