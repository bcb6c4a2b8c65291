package policy

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Review states that decide a reviewer's standing. COMMENTED and PENDING
// reviews change nothing.
const (
	reviewApproved         = "APPROVED"
	reviewChangesRequested = "CHANGES_REQUESTED"
	reviewDismissed        = "DISMISSED"
)

// latestReviews keeps, per reviewer, the latest review by SubmittedAt among
// APPROVED, CHANGES_REQUESTED and DISMISSED; of reviews submitted at the
// same instant the later one in the input wins. The result is sorted by
// login so everything derived from it is deterministic.
func latestReviews(reviews []Review) []latestReview {
	order := make([]int, len(reviews))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return reviews[order[a]].SubmittedAt.Before(reviews[order[b]].SubmittedAt)
	})
	byKey := map[string]latestReview{}
	for _, i := range order {
		r := reviews[i]
		st := strings.ToUpper(strings.TrimSpace(r.State))
		if st != reviewApproved && st != reviewChangesRequested && st != reviewDismissed {
			continue
		}
		if r.User == "" {
			continue
		}
		k := strings.ToLower(r.User)
		byKey[k] = latestReview{login: r.User, key: k, state: st, commit: r.CommitID, at: r.SubmittedAt}
	}
	out := make([]latestReview, 0, len(byKey))
	for _, lr := range byKey {
		out = append(out, lr)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].key < out[b].key })
	return out
}

// approval is a counted approval: the reviewer's latest review approves,
// and neither the author, a bot, staleness nor the window rules it out.
// Team membership is decided per team.
type approval struct {
	login  string
	key    string
	commit string
	at     time.Time
}

// reviewVerdict is how one reviewer's latest review stands for a gate.
type reviewVerdict struct {
	lr      latestReview
	counted bool
	// why explains an uncounted review ("bob: approved 1a2b3c4, not the
	// head 5d6e7f8 (stale after a push)").
	why string
}

// judgeReviews decides, for gate g, which latest reviews are counted
// approvals and why the others are not.
func judgeReviews(ix *factsIndex, g *Gate, window time.Duration, now time.Time) []reviewVerdict {
	head := ix.headSHA()
	out := make([]reviewVerdict, 0, len(ix.latest))
	for _, lr := range ix.latest {
		v := reviewVerdict{lr: lr}
		switch {
		case lr.state == reviewChangesRequested:
			v.why = fmt.Sprintf("%s requested changes on %s at %s", lr.login, abbrevSHA(lr.commit), rfc3339(lr.at))
		case lr.state == reviewDismissed:
			v.why = fmt.Sprintf("%s's review of %s was dismissed", lr.login, abbrevSHA(lr.commit))
		case ix.isAuthor(lr.login):
			v.why = fmt.Sprintf("%s is the author (self-approval does not count)", lr.login)
		case ix.isDeployer(lr.login):
			v.why = fmt.Sprintf("%s started the deployment (self-approval does not count)", lr.login)
		case ix.pusherWhy(lr.login, g.Pushers) != "":
			v.why = ix.pusherWhy(lr.login, g.Pushers) + " (a pusher's approval does not count)"
		case ix.isBot(lr.login):
			v.why = fmt.Sprintf("%s is a bot (bot approvals do not count)", lr.login)
		case ix.f.Deployment == nil && ix.f.PullRequest.BaseChangedAt != nil && !lr.at.After(*ix.f.PullRequest.BaseChangedAt):
			v.why = fmt.Sprintf("%s approved at %s, before the base branch changed to %s at %s (an approval counts only for the base it was given on)",
				lr.login, rfc3339(lr.at), ix.f.PullRequest.Base, rfc3339(*ix.f.PullRequest.BaseChangedAt))
		case g.Controls.Teams.Fresh != FreshAny && (head == "" || !strings.EqualFold(lr.commit, head)):
			v.why = fmt.Sprintf("%s approved %s, not the head %s (stale after a push)", lr.login, abbrevSHA(lr.commit), abbrevSHA(head))
		case lr.at.After(now.Add(clockSkew)):
			v.why = fmt.Sprintf("%s's approval is dated %s, in the future", lr.login, rfc3339(lr.at))
		case now.Sub(lr.at) > window:
			v.why = fmt.Sprintf("%s approved at %s, outside the %s window (expired %s)",
				lr.login, rfc3339(lr.at), windowString(window), rfc3339(lr.at.Add(window)))
		default:
			v.counted = true
		}
		out = append(out, v)
	}
	return out
}

func (v reviewVerdict) approval() approval {
	return approval{login: v.lr.login, key: v.lr.key, commit: v.lr.commit, at: v.lr.at}
}
