package githubsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Dispatch is one workflow_dispatch or repository_dispatch received.
type Dispatch struct {
	// Kind is "workflow" or "repository".
	Kind string `json:"kind"`
	// Workflow is the workflow id or file name (workflow dispatches).
	Workflow string `json:"workflow,omitempty"`
	// Ref is the branch or tag the workflow runs on.
	Ref    string         `json:"ref,omitempty"`
	Inputs map[string]any `json:"inputs,omitempty"`
	// EventType and ClientPayload are a repository dispatch's.
	EventType     string          `json:"event_type,omitempty"`
	ClientPayload json.RawMessage `json:"client_payload,omitempty"`
	At            time.Time       `json:"at"`
	// RunID is the workflow run a workflow dispatch created.
	RunID int64 `json:"run_id,omitempty"`
}

// workflowRun is a run created by a workflow dispatch.
type workflowRun struct {
	id, workflowID int64
	number         int
	name           string
	workflow       string
	branch         string
	sha            string
	event          string
	status         string
	conclusion     string
	created        time.Time
	updated        time.Time
}

// Dispatches returns the dispatches received by the repository, oldest
// first.
func (s *Sim) Dispatches(owner, repoName string) []Dispatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return nil
	}
	return append([]Dispatch(nil), r.dispatches...)
}

// CompleteRun finishes a workflow run with conclusion and emits
// workflow_run completed.
func (s *Sim) CompleteRun(owner, repoName string, runID int64, conclusion string) error {
	s.mu.Lock()
	r := s.repo(owner, repoName)
	if r == nil {
		s.mu.Unlock()
		return fmt.Errorf("complete run in %s/%s: %w", owner, repoName, ErrNotFound)
	}
	for _, run := range r.runs {
		if run.id == runID {
			run.status, run.conclusion, run.updated = "completed", conclusion, s.clock()
			evs := []event{s.event("workflow_run", r, r.owner, map[string]any{
				"action": "completed", "workflow_run": s.runObject(r, run),
				"workflow": s.workflowObject(r, run),
			})}
			s.mu.Unlock()
			s.post(evs, true)
			return nil
		}
	}
	s.mu.Unlock()
	return fmt.Errorf("run %d: %w", runID, ErrNotFound)
}

func (s *Sim) dispatchRoutes() {
	s.handle("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", authToken, s.workflowDispatch)
	s.handle("GET /repos/{owner}/{repo}/actions/runs", authToken, s.listRuns)
	s.handle("POST /repos/{owner}/{repo}/dispatches", authToken, s.repositoryDispatch)
}

func (s *Sim) workflowDispatch(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	var b struct {
		Ref              string         `json:"ref"`
		Inputs           map[string]any `json:"inputs"`
		ReturnRunDetails bool           `json:"return_run_details"`
	}
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	if b.Ref == "" {
		return invalid("WorkflowDispatch", "ref", "missing_field", "ref is required")
	}
	c := r.resolve(b.Ref)
	if c == nil {
		return unprocessable("No ref found for: " + b.Ref)
	}
	if len(b.Inputs) > 25 {
		return unprocessable("you may only define up to 25 `inputs` for a `workflow_dispatch` event")
	}
	wf := q.path("workflow_id")
	spec, declared, err := loadWorkflow(c, wf)
	if err != nil {
		return unprocessable(err.Error())
	}
	if declared {
		if msg := spec.check(b.Inputs); msg != "" {
			return unprocessable(msg)
		}
	}
	wfID, err := strconv.ParseInt(wf, 10, 64)
	if err != nil {
		wfID = int64(len(wf))*7919 + 1
	}
	run := &workflowRun{id: s.id(), workflowID: wfID, number: len(r.runs) + 1, workflow: wf,
		name: wf, branch: b.Ref, sha: c.sha, event: "workflow_dispatch", status: "queued",
		created: s.clock(), updated: s.clock()}
	switch {
	case spec.runName != "":
		run.name = renderRunName(spec.runName, b.Inputs)
	case b.Inputs["zgate_id"] != nil:
		// As if the workflow set run-name from the zgate_id input.
		run.name = fmt.Sprint(b.Inputs["zgate_id"])
	case spec.name != "":
		run.name = spec.name
	}
	r.runs = append(r.runs, run)
	r.dispatches = append(r.dispatches, Dispatch{Kind: "workflow", Workflow: wf, Ref: b.Ref,
		Inputs: b.Inputs, At: s.clock(), RunID: run.id})
	if b.ReturnRunDetails {
		// Newer GitHub answers 200 with the run it created when asked.
		return ok(map[string]any{"workflow_run_id": run.id,
			"run_url":  fmt.Sprintf("%s/repos/%s/actions/runs/%d", s.api(), r.fullName(), run.id),
			"html_url": fmt.Sprintf("%s/%s/actions/runs/%d", s.base, r.fullName(), run.id)})
	}
	return noContent()
}

func (s *Sim) runObject(r *repo, run *workflowRun) map[string]any {
	u := fmt.Sprintf("%s/repos/%s/actions/runs/%d", s.api(), r.fullName(), run.id)
	var conclusion any
	if run.conclusion != "" {
		conclusion = run.conclusion
	}
	return map[string]any{
		"id": run.id, "name": run.name, "node_id": nodeID("WFR", run.id), "head_branch": run.branch,
		"head_sha": run.sha, "path": ".github/workflows/" + run.workflow, "display_title": run.name,
		"run_number": run.number, "run_attempt": 1, "event": run.event, "status": run.status,
		"conclusion": conclusion, "workflow_id": run.workflowID, "url": u,
		"html_url":   fmt.Sprintf("%s/%s/actions/runs/%d", s.base, r.fullName(), run.id),
		"created_at": ts(run.created), "updated_at": ts(run.updated), "run_started_at": ts(run.created),
		"pull_requests": []any{}, "actor": s.user(s.botLogin()), "triggering_actor": s.user(s.botLogin()),
		"jobs_url": u + "/jobs", "logs_url": u + "/logs", "check_suite_url": u + "/check-suite",
		"artifacts_url": u + "/artifacts", "cancel_url": u + "/cancel", "rerun_url": u + "/rerun",
		"workflow_url": fmt.Sprintf("%s/repos/%s/actions/workflows/%d", s.api(), r.fullName(), run.workflowID),
		"head_commit":  simpleCommit(r.commits[run.sha]), "repository": s.repositoryLite(r),
		"head_repository": s.repositoryLite(r), "check_suite_id": run.id + 1,
		"check_suite_node_id": nodeID("CS", run.id+1), "previous_attempt_url": nil,
	}
}

func (s *Sim) listRuns(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	var runs []*workflowRun
	for i := len(r.runs) - 1; i >= 0; i-- {
		run := r.runs[i]
		if (q.query("event") != "" && run.event != q.query("event")) ||
			(q.query("branch") != "" && run.branch != q.query("branch")) ||
			(q.query("status") != "" && run.status != q.query("status") && run.conclusion != q.query("status")) ||
			(q.query("head_sha") != "" && run.sha != q.query("head_sha")) {
			continue
		}
		runs = append(runs, run)
	}
	resp := response{status: http.StatusOK}
	out := pageMap(q, runs, &resp, func(run *workflowRun) map[string]any { return s.runObject(r, run) })
	resp.body = map[string]any{"total_count": len(runs), "workflow_runs": out}
	return resp
}

func (s *Sim) repositoryDispatch(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	var b struct {
		EventType     string          `json:"event_type"`
		ClientPayload json.RawMessage `json:"client_payload"`
	}
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	if b.EventType == "" || len(b.EventType) > 100 {
		return invalid("RepositoryDispatch", "event_type", "invalid", "event_type is required (at most 100 characters)")
	}
	r.dispatches = append(r.dispatches, Dispatch{Kind: "repository", EventType: b.EventType,
		ClientPayload: b.ClientPayload, At: s.clock()})
	return noContent()
}

// workflowObject is GitHub's workflow, for workflow_run events.
func (s *Sim) workflowObject(r *repo, run *workflowRun) map[string]any {
	u := fmt.Sprintf("%s/repos/%s/actions/workflows/%d", s.api(), r.fullName(), run.workflowID)
	html := s.base + "/" + r.fullName() + "/blob/" + r.defaultBranch + "/.github/workflows/" + run.workflow
	return map[string]any{"id": run.workflowID, "node_id": nodeID("W", run.workflowID), "name": run.workflow,
		"path": ".github/workflows/" + run.workflow, "state": "active", "url": u, "html_url": html,
		"badge_url":  s.base + "/" + r.fullName() + "/workflows/" + run.workflow + "/badge.svg",
		"created_at": ts(r.created), "updated_at": ts(r.created)}
}
