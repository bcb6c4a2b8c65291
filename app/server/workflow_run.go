package server

import (
	"log/slog"

	"github.com/google/go-github/v62/github"
)

// handleWorkflowRun re-evaluates the pull requests of a completed workflow
// run: it may have published an attestation that is a control. Runs of
// fork pull requests carry no pull requests; the periodic sweep covers
// them.
func handleWorkflowRun(_ *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[github.WorkflowRunEvent](body)
	if err != nil {
		return outcome{}, err
	}
	if a := ev.GetAction(); a != "completed" {
		return ignore("workflow_run action %q", a)
	}
	return many(ev.GetInstallation(), ev.GetRepo(), ev.GetWorkflowRun().PullRequests)
}
