package server

import (
	"log/slog"

	"github.com/zgate-dev/zgate/app/store"
)

// handlePullRequest re-evaluates a pull request when anything the policy
// reads changes: its head, base, draft state or labels. A closed pull
// request is re-evaluated too, so the engine drops its timers. The sender
// of opened, synchronize and reopened is recorded as a pusher of the head.
func handlePullRequest(s *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[pullRequestPayload](body)
	if err != nil {
		return outcome{}, err
	}
	switch a := ev.Action; a {
	case "opened", "reopened", "synchronize", "ready_for_review", "converted_to_draft",
		"labeled", "unlabeled", "closed":
	case "edited":
		if ev.Changes == nil || ev.Changes.Base == nil {
			return ignore("pull_request edited without a base change")
		}
	case "review_request_removed":
		return reviewRequestRemoved(s, ev)
	default:
		return ignore("pull_request action %q", a)
	}
	var pushes []store.Push
	switch ev.Action {
	case "opened", "reopened", "synchronize":
		p, err := prPush(ev, s.cfg.Now())
		if err != nil {
			return outcome{}, err
		}
		pushes = []store.Push{p}
	}
	if s.fromSelf(ev.Sender.gh()) && ev.Action != "closed" {
		return outcome{ignored: "sent by the App", pushes: pushes}, nil
	}
	out, err := one(ev.Installation.gh(), ev.Repo.gh(), ev.Number)
	out.pushes = pushes
	if err == nil && ev.Action != "closed" {
		s.notePull(out, ev.PullRequest, nil, ev.Action == "opened")
	}
	return out, err
}
