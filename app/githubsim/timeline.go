package githubsim

import (
	"fmt"
	"net/http"
	"time"
)

// timelineEvent is one entry of an issue's timeline. Only the events zgate
// reads are kept: base_ref_changed, written when a pull request's base
// branch changes (GitHub's REST timeline gives its actor and time, not the
// branches).
type timelineEvent struct {
	id    int64
	event string
	actor string
	at    time.Time
}

func (s *Sim) timelineRoutes() {
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}/timeline", authToken, s.listTimeline)
}

// listTimeline is GET /repos/{owner}/{repo}/issues/{issue_number}/timeline,
// oldest first and paginated like every list.
func (s *Sim) listTimeline(q *request) response {
	r, p, e := s.routeIssue(q)
	if e != nil {
		return *e
	}
	resp := response{status: http.StatusOK}
	resp.body = pageMap(q, p.timeline, &resp, func(ev timelineEvent) map[string]any {
		return map[string]any{
			"id": ev.id, "node_id": nodeID("BRCE", ev.id),
			"url":   fmt.Sprintf("%s/repos/%s/issues/events/%d", s.api(), r.fullName(), ev.id),
			"actor": s.user(ev.actor), "event": ev.event, "commit_id": nil, "commit_url": nil,
			"created_at": ev.at.Format(time.RFC3339), "performed_via_github_app": nil,
		}
	})
	return resp
}
