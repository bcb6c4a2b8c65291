package server

import (
	"github.com/zgate-dev/zgate/app/store"
)

// reviewRequestRemoved records that a person removed a team's review
// request, so that zgate never asks that team again on the pull request
// (request_reviews: teams). The App's own removals (it makes none) and
// removals of a user's request are ignored. The pull request is
// re-evaluated too: cheap, and the delivery is then recorded.
func reviewRequestRemoved(s *Server, ev *pullRequestPayload) (outcome, error) {
	if ev.RequestedTeam == nil || ev.RequestedTeam.Slug == "" {
		return ignore("review request removed from a user, not a team")
	}
	if s.fromSelf(ev.Sender.gh()) {
		return ignore("sent by the App")
	}
	out, err := one(ev.Installation.gh(), ev.Repo.gh(), ev.Number)
	if err != nil {
		return out, err
	}
	k := out.keys[0]
	out.removedReviews = []store.RemovedReview{{Owner: k.Owner, Repo: k.Repo, Number: k.Number, Team: k.Owner + "/" + ev.RequestedTeam.Slug, At: s.cfg.Now()}}
	return out, nil
}
