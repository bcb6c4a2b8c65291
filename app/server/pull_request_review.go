package server

import (
	"log/slog"
)

// handlePullRequestReview re-evaluates a pull request whose reviews changed.
func handlePullRequestReview(s *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[reviewPayload](body)
	if err != nil {
		return outcome{}, err
	}
	switch a := ev.Action; a {
	case "submitted", "edited", "dismissed":
	default:
		return ignore("pull_request_review action %q", a)
	}
	if s.fromSelf(ev.Sender.gh()) {
		return ignore("sent by the App")
	}
	n := 0
	if ev.PullRequest != nil {
		n = ev.PullRequest.Number
	}
	out, err := one(ev.Installation.gh(), ev.Repo.gh(), n)
	if err == nil {
		s.notePull(out, ev.PullRequest, ev.Review, false)
	}
	return out, err
}
