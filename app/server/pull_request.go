package server

import (
	"log/slog"

	"github.com/google/go-github/v62/github"
)

// handlePullRequest re-evaluates a pull request when anything the policy
// reads changes: its head, base, draft state or labels. A closed pull
// request is re-evaluated too, so the engine drops its timers.
func handlePullRequest(s *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[github.PullRequestEvent](body)
	if err != nil {
		return outcome{}, err
	}
	switch a := ev.GetAction(); a {
	case "opened", "reopened", "synchronize", "ready_for_review", "converted_to_draft",
		"labeled", "unlabeled", "closed":
	case "edited":
		if ev.GetChanges().GetBase() == nil {
			return ignore("pull_request edited without a base change")
		}
	default:
		return ignore("pull_request action %q", a)
	}
	if s.fromSelf(ev.GetSender()) && ev.GetAction() != "closed" {
		return ignore("sent by the App")
	}
	return one(ev.GetInstallation(), ev.GetRepo(), ev.GetNumber())
}
