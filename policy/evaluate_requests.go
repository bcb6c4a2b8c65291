package policy

import (
	"fmt"
	"strings"
)

// requestReviews fills gd.ReviewRequests for a pending gate that sets
// request_reviews: teams: each team control that is missing (not held,
// and required or needed for the quorum) and that nobody was asked
// already. A team is left out when:
//   - a member reviewed, in any state (their review is GitHub's answer to
//     a request; a dismissed review still means the team has seen it);
//   - its review is requested already (requested_teams);
//   - it belongs to another organization than the repository's (GitHub
//     refuses the request);
//   - its only active members are the author and bots: nobody in it can
//     approve, which a note says instead.
//
// Whether zgate asked before, or a person removed the request, is the
// App's state, not a fact: the App filters those out.
func (ge *gateEval) requestReviews(gd *GateDecision) {
	if ge.g.RequestReviews != RequestReviewsTeams {
		return
	}
	ix := ge.ix
	requested := map[string]bool{}
	for _, t := range ix.f.PullRequest.RequestedTeams {
		requested["@"+strings.ToLower(strings.TrimPrefix(t, "@"))] = true
	}
	owner, _, _ := strings.Cut(strings.ToLower(ix.f.Repository), "/")
	need := gd.Quorum - ge.held
	for i, tc := range ge.teams.controls {
		cr := ge.controls[i]
		if cr.Held || tc.user || !tc.known || (!tc.required && need <= 0) {
			continue
		}
		org, _, _ := strings.Cut(strings.TrimPrefix(tc.key, "@"), "/")
		switch {
		case requested[tc.key]:
		case ge.reviewedBy(tc):
		case owner != "" && org != owner:
			gd.Notes = append(gd.Notes, fmt.Sprintf("%s: no review requested: the team is not in the repository's organization", tc.id))
		case ge.onlyAuthor(tc):
			gd.Notes = append(gd.Notes, fmt.Sprintf("%s: no review requested: the author is the team's only member, so nobody in it can approve", tc.id))
		default:
			gd.ReviewRequests = append(gd.ReviewRequests, tc.id)
		}
	}
}

// reviewedBy reports whether a member of tc submitted any review.
func (ge *gateEval) reviewedBy(tc *teamControl) bool {
	for _, r := range ge.ix.f.Reviews {
		if tc.member(r.User) {
			return true
		}
	}
	return false
}

// onlyAuthor reports whether every active member of tc is the author or a
// bot (a team with no members at all is reported as unknown elsewhere).
func (ge *gateEval) onlyAuthor(tc *teamControl) bool {
	for _, m := range tc.members {
		if !ge.ix.isAuthor(m) && !ge.ix.isBot(m) {
			return false
		}
	}
	return true
}
