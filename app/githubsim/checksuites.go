package githubsim

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// checkSuite is a check suite GitHub created for a commit. GitHub creates
// one per checks-capable App when a commit is pushed; the simulator models
// the GitHub Actions App's, created at the first push of the commit to
// any branch. Its created_at is GitHub's clock: no one pushing can set it,
// unlike commit dates.
type checkSuite struct {
	id      int64
	sha     string
	branch  string
	created time.Time
}

// GitHub Actions, the App whose suites the simulator creates.
const (
	actionsAppID   = 15368
	actionsAppSlug = "github-actions"
)

// ensureSuite creates the commit's check suite unless it has one.
// Callers hold s.mu.
func (s *Sim) ensureSuite(r *repo, sha, branch string) {
	for _, cs := range r.suites {
		if cs.sha == sha {
			return
		}
	}
	r.suites = append(r.suites, &checkSuite{id: suiteID(sha), sha: sha, branch: branch, created: s.clock()})
}

// suiteID derives a suite's id from its commit (one suite per commit),
// leaving the shared id sequence, and so every other id, as it was.
func suiteID(sha string) int64 {
	id, err := strconv.ParseInt(sha[:min(len(sha), 12)], 16, 64)
	if err != nil {
		return 1
	}
	return id + 1
}

func (s *Sim) checkSuiteRoutes() {
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}/check-suites", authToken, s.listCheckSuites)
}

// listCheckSuites answers GET .../commits/{ref}/check-suites (app_id
// filter; paged), oldest first.
func (s *Sim) listCheckSuites(q *request) response {
	r, commit, e := s.visibleCommit(q)
	if e != nil {
		return *e
	}
	appID, _ := strconv.ParseInt(q.query("app_id"), 10, 64)
	var suites []*checkSuite
	for _, cs := range r.suites {
		if cs.sha == commit.sha && (appID == 0 || appID == actionsAppID) {
			suites = append(suites, cs)
		}
	}
	resp := response{status: http.StatusOK}
	objs := pageMap(q, suites, &resp, func(cs *checkSuite) map[string]any { return s.checkSuiteObject(r, cs) })
	resp.body = map[string]any{"total_count": len(suites), "check_suites": objs}
	return resp
}

func (s *Sim) checkSuiteObject(r *repo, cs *checkSuite) map[string]any {
	u := fmt.Sprintf("%s/repos/%s/check-suites/%d", s.api(), r.fullName(), cs.id)
	var branch any
	if cs.branch != "" {
		branch = cs.branch
	}
	var head any
	if c := r.commits[cs.sha]; c != nil {
		head = simpleCommit(c)
	}
	return map[string]any{
		"id": cs.id, "node_id": nodeID("CS", cs.id), "head_branch": branch, "head_sha": cs.sha,
		"status": "queued", "conclusion": nil, "url": u, "before": nil, "after": cs.sha,
		"pull_requests": []any{}, "app": map[string]any{
			"id": actionsAppID, "slug": actionsAppSlug, "node_id": nodeID("A", actionsAppID),
			"name": "GitHub Actions", "owner": s.user("github"), "description": "Automate your workflow",
			"external_url": "https://help.github.com/en/actions", "html_url": s.base + "/apps/" + actionsAppSlug,
			"created_at": "2018-07-30T09:30:17Z", "updated_at": "2019-12-10T19:04:12Z",
			"permissions": map[string]string{"checks": "write", "contents": "write", "metadata": "read"},
			"events":      []string{"check_run", "check_suite", "push"},
		},
		"created_at": ts(cs.created), "updated_at": ts(cs.created),
		"latest_check_runs_count": 0, "check_runs_url": u + "/check-runs",
		"head_commit": head, "repository": s.repositoryLite(r),
		"rerequestable": true, "runs_rerequestable": true,
	}
}
