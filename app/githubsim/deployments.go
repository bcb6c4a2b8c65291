package githubsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Environments and deployments gated by a custom deployment protection
// rule (the App). A workflow job that targets a protected environment
// creates a deployment, waiting, and GitHub sends the App a
// deployment_protection_rule event (action requested) carrying the
// deployment, its environment and the callback URL; the App answers with
// POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule
// (204), after which the deployment is approved or rejected and a second
// answer for it is refused (422, nothing pending).

// deployState is the simulator's environments and deployments, per
// repository ("owner/name", lower case).
type deployState struct {
	envs map[string][]string // repo -> environment names
	deps map[string][]*deployment
}

type deployment struct {
	id, runID   int64
	environment string
	sha, ref    string
	creator     string
	event       string
	created     time.Time
	state       string // waiting, approved, rejected
	comment     string
	answers     int // accepted answers
	refused     int // answers refused with 422
}

// DeploymentOptions start a deployment.
type DeploymentOptions struct {
	Environment string
	// Ref is the branch the workflow runs on; SHA defaults to its head.
	Ref string
	SHA string
	// Creator is who triggered the workflow (the deployer).
	Creator string
}

// DeploymentState is one deployment as the simulator holds it.
type DeploymentState struct {
	ID          int64  `json:"id"`
	RunID       int64  `json:"run_id"`
	Environment string `json:"environment"`
	SHA         string `json:"sha"`
	Ref         string `json:"ref"`
	Creator     string `json:"creator"`
	// State is "waiting", "approved" or "rejected".
	State   string `json:"state"`
	Comment string `json:"comment"`
	// Answers counts the answers GitHub accepted (at most one); Refused
	// those it refused because nothing was pending any more.
	Answers int `json:"answers"`
	Refused int `json:"refused"`
}

// AddEnvironment creates environment name in owner/repo, protected by the
// App's custom deployment protection rule.
func (s *Sim) AddEnvironment(owner, repoName, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("add environment %s to %s/%s: %w", name, owner, repoName, ErrNotFound)
	}
	if name == "" {
		return fmt.Errorf("add environment: %w: empty name", ErrInvalid)
	}
	k := lower(r.fullName())
	for _, e := range s.deploys.envs[k] {
		if strings.EqualFold(e, name) {
			return fmt.Errorf("environment %s: %w", name, ErrExists)
		}
	}
	if s.deploys.envs == nil {
		s.deploys.envs = map[string][]string{}
		s.deploys.deps = map[string][]*deployment{}
	}
	s.deploys.envs[k] = append(s.deploys.envs[k], name)
	return nil
}

// StartDeployment runs a workflow job targeting a protected environment:
// it creates the waiting deployment and sends the App the
// deployment_protection_rule event. It returns the deployment.
func (s *Sim) StartDeployment(owner, repoName string, o DeploymentOptions) (DeploymentState, error) {
	s.mu.Lock()
	r := s.repo(owner, repoName)
	if r == nil {
		s.mu.Unlock()
		return DeploymentState{}, fmt.Errorf("deploy %s/%s: %w", owner, repoName, ErrNotFound)
	}
	k := lower(r.fullName())
	env := ""
	for _, e := range s.deploys.envs[k] {
		if strings.EqualFold(e, o.Environment) {
			env = e
		}
	}
	if env == "" {
		s.mu.Unlock()
		return DeploymentState{}, fmt.Errorf("deploy to environment %q: %w", o.Environment, ErrNotFound)
	}
	if o.Ref == "" {
		o.Ref = r.defaultBranch
	}
	if o.SHA == "" {
		o.SHA = r.branches[o.Ref]
	}
	c := r.resolve(o.SHA)
	if c == nil || o.Creator == "" {
		s.mu.Unlock()
		return DeploymentState{}, fmt.Errorf("deploy %s: %w: unknown commit or no creator", o.SHA, ErrInvalid)
	}
	d := &deployment{id: s.id(), runID: s.id(), environment: env, sha: c.sha, ref: o.Ref, creator: o.Creator,
		event: "push", created: s.clock(), state: "waiting"}
	s.deploys.deps[k] = append(s.deploys.deps[k], d)
	var prs []object
	for _, n := range sortedKeys(r.pulls) {
		p := r.pulls[n]
		if p.headSHA == c.sha || p.mergeCommitSHA == c.sha {
			prs = append(prs, s.pullObject(r, p))
		}
	}
	if prs == nil {
		prs = []object{}
	}
	ev := s.event("deployment_protection_rule", r, o.Creator, map[string]any{
		"action":                  "requested",
		"environment":             env,
		"event":                   d.event,
		"deployment_callback_url": s.api() + "/repos/" + r.fullName() + "/actions/runs/" + itoa(d.runID) + "/deployment_protection_rule",
		"deployment":              s.deploymentObject(r, d),
		"pull_requests":           prs,
	})
	st := d.state_()
	s.mu.Unlock()
	s.post([]event{ev}, true)
	return st, nil
}

// Deployments returns the deployments of owner/repo, oldest first.
func (s *Sim) Deployments(owner, repoName string) []DeploymentState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []DeploymentState
	for _, d := range s.deploys.deps[lower(owner+"/"+repoName)] {
		out = append(out, d.state_())
	}
	return out
}

func (d *deployment) state_() DeploymentState {
	return DeploymentState{ID: d.id, RunID: d.runID, Environment: d.environment, SHA: d.sha, Ref: d.ref, Creator: d.creator,
		State: d.state, Comment: d.comment, Answers: d.answers, Refused: d.refused}
}

// deploymentObject is GitHub's deployment JSON. Callers hold s.mu.
func (s *Sim) deploymentObject(r *repo, d *deployment) map[string]any {
	url := s.api() + "/repos/" + r.fullName() + "/deployments/" + itoa(d.id)
	return map[string]any{
		"url": url, "id": d.id, "node_id": nodeID("DE", d.id), "sha": d.sha, "ref": d.ref, "task": "deploy",
		"payload": map[string]any{}, "original_environment": d.environment, "environment": d.environment,
		"description": nil, "creator": s.user(d.creator),
		"created_at": d.created.Format(time.RFC3339), "updated_at": d.created.Format(time.RFC3339),
		"statuses_url": url + "/statuses", "repository_url": s.api() + "/repos/" + r.fullName(),
		"transient_environment": false, "production_environment": false,
	}
}

func (s *Sim) deploymentRoutes() {
	s.handle("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", authToken, s.answerProtectionRule)
	s.handle("GET /repos/{owner}/{repo}/deployments", authToken, s.listDeployments)
	s.handle("GET /repos/{owner}/{repo}/environments", authToken, s.listEnvironments)
	s.mux.HandleFunc("POST /_sim/environments", func(w http.ResponseWriter, r *http.Request) {
		var c struct{ Owner, Repo, Name string }
		if err := decodeCtl(r, &c); err != nil {
			ctlReply(w, nil, err)
			return
		}
		ctlReply(w, nil, s.AddEnvironment(c.Owner, c.Repo, c.Name))
	})
	s.mux.HandleFunc("POST /_sim/deployments", func(w http.ResponseWriter, r *http.Request) {
		var c struct{ Owner, Repo, Environment, Ref, SHA, User string }
		if err := decodeCtl(r, &c); err != nil {
			ctlReply(w, nil, err)
			return
		}
		d, err := s.StartDeployment(c.Owner, c.Repo, DeploymentOptions{Environment: c.Environment, Ref: c.Ref, SHA: c.SHA, Creator: c.User})
		ctlReply(w, d, err)
	})
	s.mux.HandleFunc("GET /_sim/deployments", func(w http.ResponseWriter, r *http.Request) {
		ctlReply(w, s.Deployments(r.URL.Query().Get("owner"), r.URL.Query().Get("repo")), nil)
	})
}

func decodeCtl(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("decode %s: %w: %w", r.URL.Path, ErrInvalid, err)
	}
	return nil
}

// answerProtectionRule is "Review custom deployment protection rules for a
// workflow run": 204 when a waiting deployment of the run to
// environment_name is approved or rejected; 422 for a bad state or a
// missing environment_name, and when nothing is pending any more (the
// run's deployment was answered already); 404 for an unknown run.
func (s *Sim) answerProtectionRule(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	runID, err := strconv.ParseInt(q.path("run_id"), 10, 64)
	if err != nil {
		return notFound()
	}
	var body struct {
		EnvironmentName string `json:"environment_name"`
		State           string `json:"state"`
		Comment         string `json:"comment"`
	}
	if e := q.decode(&body); e != nil {
		return *e
	}
	if body.EnvironmentName == "" {
		return unprocessable(`"environment_name" wasn't supplied.`)
	}
	if body.State != "approved" && body.State != "rejected" {
		return unprocessable(fmt.Sprintf("state %q is not a member of [approved, rejected]", body.State))
	}
	var run []*deployment
	for _, d := range s.deploys.deps[lower(r.fullName())] {
		if d.runID == runID {
			run = append(run, d)
		}
	}
	if len(run) == 0 {
		return notFound()
	}
	for _, d := range run {
		if !strings.EqualFold(d.environment, body.EnvironmentName) {
			continue
		}
		if d.state != "waiting" {
			d.refused++
			return unprocessable("No pending deployment requests to approve or reject")
		}
		d.state, d.comment = body.State, body.Comment
		d.answers++
		return noContent()
	}
	return unprocessable("No pending deployment requests to approve or reject")
}

func (s *Sim) listDeployments(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	all := []map[string]any{}
	deps := s.deploys.deps[lower(r.fullName())]
	for i := len(deps) - 1; i >= 0; i-- { // newest first, as GitHub lists them
		d := deps[i]
		if (q.query("sha") == "" || q.query("sha") == d.sha) && (q.query("environment") == "" || q.query("environment") == d.environment) {
			all = append(all, s.deploymentObject(r, d))
		}
	}
	resp := response{status: http.StatusOK}
	resp.body = pageOf(q, all, &resp)
	return resp
}

func (s *Sim) listEnvironments(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	names := append([]string(nil), s.deploys.envs[lower(r.fullName())]...)
	sort.Strings(names)
	envs := []map[string]any{}
	for i, n := range names {
		envs = append(envs, map[string]any{"id": int64(i + 1), "name": n,
			"url":              s.api() + "/repos/" + r.fullName() + "/environments/" + n,
			"protection_rules": []any{map[string]any{"type": "custom_deployment_protection_rule"}}})
	}
	return ok(map[string]any{"total_count": len(envs), "environments": envs})
}
