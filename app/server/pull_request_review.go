package server

import (
	"log/slog"

	"github.com/google/go-github/v62/github"
)

// handlePullRequestReview re-evaluates a pull request whose reviews changed.
func handlePullRequestReview(s *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[github.PullRequestReviewEvent](body)
	if err != nil {
		return outcome{}, err
	}
	switch a := ev.GetAction(); a {
	case "submitted", "edited", "dismissed":
	default:
		return ignore("pull_request_review action %q", a)
	}
	if s.fromSelf(ev.GetSender()) {
		return ignore("sent by the App")
	}
	return one(ev.GetInstallation(), ev.GetRepo(), ev.GetPullRequest().GetNumber())
}
