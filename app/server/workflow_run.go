package server

import (
	"log/slog"
)

// handleWorkflowRun re-evaluates the pull requests of a completed workflow
// run: it may have published an attestation that is a control. Runs of
// fork pull requests carry no pull requests; the periodic sweep covers
// them.
func handleWorkflowRun(_ *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[struct {
		payloadEvent
		WorkflowRun *struct {
			PullRequests []payloadPull `json:"pull_requests"`
		} `json:"workflow_run"`
	}](body)
	if err != nil {
		return outcome{}, err
	}
	if a := ev.Action; a != "completed" {
		return ignore("workflow_run action %q", a)
	}
	var prs []payloadPull
	if ev.WorkflowRun != nil {
		prs = ev.WorkflowRun.PullRequests
	}
	return many(ev.Installation.gh(), ev.Repo.gh(), payloadPulls(prs))
}
