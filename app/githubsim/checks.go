package githubsim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxOutput is GitHub's limit on a check run's output title, summary and
// text.
const maxOutput = 65535

// CheckRun is a check run as tests see it.
type CheckRun struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	HeadSHA     string         `json:"head_sha"`
	Status      string         `json:"status"`
	Conclusion  string         `json:"conclusion,omitempty"`
	ExternalID  string         `json:"external_id,omitempty"`
	DetailsURL  string         `json:"details_url,omitempty"`
	Output      CheckRunOutput `json:"output"`
	AppID       int64          `json:"app_id"`
	StartedAt   time.Time      `json:"started_at"`
	CompletedAt time.Time      `json:"completed_at"`
}

// CheckRunOutput is a check run's rendered text.
type CheckRunOutput struct {
	Title   string `json:"title,omitempty"`
	Summary string `json:"summary,omitempty"`
	Text    string `json:"text,omitempty"`
}

// checkRun is stored state; CheckRun is copied out.
type checkRun = CheckRun

// checkRunRequest is the body of POST and PATCH check-runs.
type checkRunRequest struct {
	Name        *string `json:"name"`
	HeadSHA     *string `json:"head_sha"`
	DetailsURL  *string `json:"details_url"`
	ExternalID  *string `json:"external_id"`
	Status      *string `json:"status"`
	Conclusion  *string `json:"conclusion"`
	StartedAt   *string `json:"started_at"`
	CompletedAt *string `json:"completed_at"`
	Output      *struct {
		Title       *string             `json:"title"`
		Summary     *string             `json:"summary"`
		Text        *string             `json:"text"`
		Annotations []annotationRequest `json:"annotations"`
	} `json:"output"`
}

var (
	checkStatuses    = []string{"queued", "in_progress", "completed", "waiting", "requested", "pending"}
	checkConclusions = []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"}
)

// CheckRuns returns the check runs on sha, oldest first.
func (s *Sim) CheckRuns(owner, repoName, sha string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return nil
	}
	var out []CheckRun
	for _, c := range r.runsOn(sha) {
		out = append(out, *c)
	}
	return out
}

// RerequestCheckRun emits check_run rerequested, as a person pressing
// "Re-run" does.
func (s *Sim) RerequestCheckRun(owner, repoName string, id int64, user string) error {
	s.mu.Lock()
	r := s.repo(owner, repoName)
	if r == nil {
		s.mu.Unlock()
		return fmt.Errorf("rerequest check run in %s/%s: %w", owner, repoName, ErrNotFound)
	}
	c := r.checkRun(id)
	if c == nil {
		s.mu.Unlock()
		return fmt.Errorf("check run %d: %w", id, ErrNotFound)
	}
	evs := []event{s.event("check_run", r, user, map[string]any{"action": "rerequested", "check_run": s.checkRunObject(r, c, true)})}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// SetRequiredChecks sets the branch protection's required status checks
// (check run names or status contexts) on branch; merges wait for them.
func (s *Sim) SetRequiredChecks(owner, repoName, branch string, checks []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("required checks on %s/%s: %w", owner, repoName, ErrNotFound)
	}
	r.required[branch] = slices.Clone(checks)
	return nil
}

func (r *repo) checkRun(id int64) *checkRun { return r.idx.runByID[id] }

// failingRequired returns the first required check of branch that is not
// green on sha, or "". Callers hold s.mu.
func (s *Sim) failingRequired(r *repo, branch, sha string) string {
	for _, name := range r.required[branch] {
		if src := r.source[branch+"\x00"+name]; src != "" {
			if !s.greenFrom(r, name, sha, src) {
				return name
			}
			continue
		}
		if !r.green(name, sha) {
			return name
		}
	}
	return ""
}

func (s *Sim) requiredChecksPass(r *repo, branch, sha string) bool {
	return s.failingRequired(r, branch, sha) == ""
}

// green reports whether the latest check run or status named name on sha
// succeeded.
func (r *repo) green(name, sha string) bool {
	if green, found := r.runGreen(name, sha); found {
		return green
	}
	green, _ := r.statusGreen(name, sha, "")
	return green
}

// runGreen tells whether sha has a check run named name and whether its
// latest one succeeded.
func (r *repo) runGreen(name, sha string) (green, found bool) {
	runs := r.runsOn(sha)
	for i := len(runs) - 1; i >= 0; i-- {
		if c := runs[i]; c.Name == name {
			return c.Status == "completed" && slices.Contains([]string{"success", "neutral", "skipped"}, c.Conclusion), true
		}
	}
	return false, false
}

// statusGreen is runGreen for commit statuses, only those created by
// creator when it is not empty.
func (r *repo) statusGreen(name, sha, creator string) (green, found bool) {
	sts := r.statusesOn(sha)
	for i := len(sts) - 1; i >= 0; i-- {
		if st := sts[i]; st.Context == name && (creator == "" || strings.EqualFold(st.Creator, creator)) {
			return st.State == "success", true
		}
	}
	return false, false
}

func (s *Sim) checkRoutes() {
	s.handle("POST /repos/{owner}/{repo}/check-runs", authToken, s.createCheckRun)
	s.handle("GET /repos/{owner}/{repo}/check-runs/{check_run_id}", authToken, s.getCheckRun)
	s.handle("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", authToken, s.updateCheckRun)
	s.handle("POST /repos/{owner}/{repo}/check-runs/{check_run_id}/rerequest", authToken, s.rerequestCheckRun)
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", authToken, s.listCheckRuns)
	s.handle("GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations", authToken, s.listCheckRunAnnotations)
}

// checkRunObject is GitHub's check-run; hook adds the fuller check suite
// webhooks carry. Members are sorted by key (see object).
func (s *Sim) checkRunObject(r *repo, c *checkRun, hook bool) object {
	repoURL := s.api() + "/repos/" + r.fullName()
	id := strconv.FormatInt(c.ID, 10)
	u := repoURL + "/check-runs/" + id
	var conclusion any
	if c.Conclusion != "" {
		conclusion = c.Conclusion
	}
	prs := []object{}
	for _, p := range r.pullsWithHead(c.HeadSHA) {
		if p.state == "open" {
			repoRef := object{{"id", r.id}, {"name", r.name}, {"url", repoURL}}
			prs = append(prs, object{
				{"base", object{{"ref", p.baseRef}, {"repo", repoRef}, {"sha", r.branches[p.baseRef]}}},
				{"head", object{{"ref", p.headRef}, {"repo", repoRef}, {"sha", p.headSHA}}},
				{"id", p.id}, {"number", p.number}, {"url", repoURL + "/pulls/" + strconv.Itoa(p.number)},
			})
		}
	}
	var appObj any
	if s.app != nil && s.app.id == c.AppID {
		appObj = s.appJSON()
	}
	html := s.base + "/" + r.fullName() + "/runs/" + id
	// GitHub points details_url at the run's page when the App gives none.
	detailsURL := c.DetailsURL
	if detailsURL == "" {
		detailsURL = html
	}
	suite := object{{"id", c.ID + 1}}
	if hook {
		branch := any(nil)
		if bs := r.branchesOn(c.HeadSHA); len(bs) > 0 {
			branch = bs[0]
		}
		suiteID := c.ID + 1
		suite = object{
			{"after", c.HeadSHA}, {"app", appObj}, {"before", c.HeadSHA}, {"conclusion", conclusion},
			{"created_at", ts(c.StartedAt)}, {"head_branch", branch}, {"head_sha", c.HeadSHA},
			{"id", suiteID}, {"node_id", nodeID("CS", suiteID)}, {"pull_requests", prs},
			{"status", c.Status}, {"updated_at", ts(c.StartedAt)},
			{"url", repoURL + "/check-suites/" + strconv.FormatInt(suiteID, 10)},
		}
	}
	return object{
		{"app", appObj}, {"check_suite", suite}, {"completed_at", tsOrNil(c.CompletedAt)},
		{"conclusion", conclusion}, {"details_url", detailsURL}, {"external_id", c.ExternalID},
		{"head_sha", c.HeadSHA}, {"html_url", html}, {"id", c.ID}, {"name", c.Name},
		{"node_id", nodeID("CR", c.ID)},
		{"output", object{
			{"annotations_count", len(s.annotations[c.ID])}, {"annotations_url", u + "/annotations"},
			{"summary", nilIfEmpty(c.Output.Summary)}, {"text", nilIfEmpty(c.Output.Text)},
			{"title", nilIfEmpty(c.Output.Title)},
		}},
		{"pull_requests", prs}, {"started_at", tsOrNil(c.StartedAt)}, {"status", c.Status}, {"url", u},
	}
}

// apply validates a create or update body and applies it to c.
func (s *Sim) applyCheckRun(r *repo, c *checkRun, b checkRunRequest) *response {
	bad := func(field, msg string) *response {
		resp := invalid("CheckRun", field, "invalid", msg)
		return &resp
	}
	if b.Name != nil {
		if *b.Name == "" {
			return bad("name", "name must not be empty")
		}
		c.Name = *b.Name
	}
	if b.DetailsURL != nil {
		c.DetailsURL = *b.DetailsURL
	}
	if b.ExternalID != nil {
		c.ExternalID = *b.ExternalID
	}
	if b.StartedAt != nil {
		t, err := time.Parse(time.RFC3339, *b.StartedAt)
		if err != nil {
			return bad("started_at", "started_at must be an ISO 8601 timestamp")
		}
		c.StartedAt = t.UTC()
	}
	if b.Status != nil {
		if !slices.Contains(checkStatuses, *b.Status) {
			return bad("status", "status is not one of "+strings.Join(checkStatuses, ", "))
		}
		c.Status = *b.Status
	}
	if b.Conclusion != nil {
		if !slices.Contains(checkConclusions, *b.Conclusion) {
			return bad("conclusion", "conclusion is not one of "+strings.Join(checkConclusions, ", "))
		}
		// Providing a conclusion completes the run.
		c.Conclusion, c.Status = *b.Conclusion, "completed"
	}
	if c.Status == "completed" && c.Conclusion == "" {
		return bad("conclusion", "conclusion is required when status is completed")
	}
	if c.Status != "completed" {
		c.Conclusion, c.CompletedAt = "", time.Time{}
	}
	if b.CompletedAt != nil {
		t, err := time.Parse(time.RFC3339, *b.CompletedAt)
		if err != nil {
			return bad("completed_at", "completed_at must be an ISO 8601 timestamp")
		}
		c.CompletedAt = t.UTC()
	}
	if c.Status == "completed" && c.CompletedAt.IsZero() {
		c.CompletedAt = s.clock()
	}
	if o := b.Output; o != nil {
		if o.Title == nil || o.Summary == nil {
			return bad("output", "output requires title and summary")
		}
		for field, v := range map[string]*string{"title": o.Title, "summary": o.Summary, "text": o.Text} {
			if v != nil && len([]rune(*v)) > maxOutput {
				resp := invalid("CheckRun", "output."+field, "too_long",
					fmt.Sprintf("output.%s is too long (maximum is %d characters)", field, maxOutput))
				return &resp
			}
		}
		added, bad := checkAnnotations(o.Annotations)
		if bad != nil {
			return bad
		}
		// GitHub appends the annotations of every request to the run's.
		if len(added) > 0 {
			if s.annotations == nil {
				s.annotations = map[int64][]CheckAnnotation{}
			}
			s.annotations[c.ID] = append(s.annotations[c.ID], added...)
		}
		c.Output = CheckRunOutput{Title: *o.Title, Summary: *o.Summary}
		if o.Text != nil {
			c.Output.Text = *o.Text
		}
	}
	return nil
}

func (s *Sim) createCheckRun(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	var b checkRunRequest
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	if b.Name == nil || b.HeadSHA == nil {
		return invalid("CheckRun", "name", "missing_field", "name and head_sha are required")
	}
	if r.commits[*b.HeadSHA] == nil {
		return unprocessable("No commit found for SHA: " + *b.HeadSHA)
	}
	c := &checkRun{ID: s.id(), HeadSHA: *b.HeadSHA, Status: "queued", StartedAt: s.clock()}
	if s.app != nil {
		c.AppID = s.app.id
	}
	if bad := s.applyCheckRun(r, c, b); bad != nil {
		return *bad
	}
	r.addCheckRun(c)
	resp := created(s.checkRunObject(r, c, false))
	hook := s.checkRunObject(r, c, true)
	resp.events = []event{s.event("check_run", r, s.botLogin(), map[string]any{"action": "created", "check_run": hook})}
	if c.Status == "completed" {
		resp.events = append(resp.events, s.event("check_run", r, s.botLogin(), map[string]any{"action": "completed", "check_run": hook}))
		resp.events = append(resp.events, s.advanceQueues(r)...)
	}
	return resp
}

func (s *Sim) routeCheckRun(q *request) (*repo, *checkRun, *response) {
	r, e := s.visibleRepo(q)
	if e != nil {
		return nil, nil, e
	}
	id, _ := strconv.ParseInt(q.path("check_run_id"), 10, 64)
	c := r.checkRun(id)
	if c == nil {
		resp := notFound()
		return nil, nil, &resp
	}
	return r, c, nil
}

func (s *Sim) getCheckRun(q *request) response {
	r, c, e := s.routeCheckRun(q)
	if e != nil {
		return *e
	}
	return ok(s.checkRunObject(r, c, false))
}

func (s *Sim) updateCheckRun(q *request) response {
	r, c, e := s.routeCheckRun(q)
	if e != nil {
		return *e
	}
	var b checkRunRequest
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	b.HeadSHA = nil
	next := *c
	wasDone := c.Status == "completed"
	if bad := s.applyCheckRun(r, &next, b); bad != nil {
		return *bad
	}
	*c = next
	resp := ok(s.checkRunObject(r, c, false))
	if c.Status == "completed" && !wasDone {
		resp.events = []event{s.event("check_run", r, s.botLogin(), map[string]any{"action": "completed", "check_run": s.checkRunObject(r, c, true)})}
	}
	if c.Status == "completed" {
		// A completed run rewritten (success to failure) can decide a
		// merge group too.
		resp.events = append(resp.events, s.advanceQueues(r)...)
	}
	return resp
}

func (s *Sim) rerequestCheckRun(q *request) response {
	r, c, e := s.routeCheckRun(q)
	if e != nil {
		return *e
	}
	resp := created(map[string]any{})
	resp.events = []event{s.event("check_run", r, s.botLogin(), map[string]any{"action": "rerequested", "check_run": s.checkRunObject(r, c, true)})}
	return resp
}

func (s *Sim) listCheckRuns(q *request) response {
	r, commit, e := s.visibleCommit(q)
	if e != nil {
		return *e
	}
	name, status, filter := q.query("check_name"), q.query("status"), q.query("filter")
	appID, _ := strconv.ParseInt(q.query("app_id"), 10, 64)
	seen := map[string]bool{}
	var runs []*checkRun
	onSHA := r.runsOn(commit.sha)
	for i := len(onSHA) - 1; i >= 0; i-- { // newest first
		c := onSHA[i]
		if (name != "" && c.Name != name) ||
			(status != "" && c.Status != status) || (appID != 0 && c.AppID != appID) {
			continue
		}
		if filter != "all" {
			if seen[c.Name] {
				continue
			}
			seen[c.Name] = true
		}
		runs = append(runs, c)
	}
	resp := response{status: http.StatusOK}
	objs := pageMap(q, runs, &resp, func(c *checkRun) object { return s.checkRunObject(r, c, false) })
	resp.body = map[string]any{"total_count": len(runs), "check_runs": objs}
	return resp
}
