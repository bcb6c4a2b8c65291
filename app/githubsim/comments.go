package githubsim

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// issueComment is a comment on a pull request's conversation.
type issueComment struct {
	id      int64
	user    string
	body    string
	created time.Time
}

// Comment adds an issue comment by user to the pull request and emits
// issue_comment created. It returns the comment id.
func (s *Sim) Comment(owner, repoName string, number int, user, body string) (int64, error) {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return 0, err
	}
	c := &issueComment{id: s.id(), user: user, body: body, created: s.clock()}
	r.comments[number] = append(r.comments[number], c)
	evs := []event{s.commentEvent(r, p, c, user)}
	s.mu.Unlock()
	s.post(evs, true)
	return c.id, nil
}

// AddLabel labels the pull request and emits pull_request labeled.
func (s *Sim) AddLabel(owner, repoName string, number int, label, user string) error {
	return s.relabel(owner, repoName, number, label, user, true)
}

// RemoveLabel removes a label and emits pull_request unlabeled.
func (s *Sim) RemoveLabel(owner, repoName string, number int, label, user string) error {
	return s.relabel(owner, repoName, number, label, user, false)
}

// relabel adds (on) or removes the label and emits pull_request labeled or
// unlabeled when that changed anything.
func (s *Sim) relabel(owner, repoName string, number int, label, user string, on bool) error {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	var evs []event
	i := slices.Index(p.labels, label)
	action := ""
	switch {
	case on && i < 0:
		p.labels, action = append(p.labels, label), "labeled"
	case !on && i >= 0:
		p.labels, action = slices.Delete(p.labels, i, i+1), "unlabeled"
	}
	if action != "" {
		evs = append(evs, s.pullEvent(r, p, action, user, map[string]any{"label": labelObject(s, r, label)}))
	}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

func labelObject(s *Sim, r *repo, name string) map[string]any {
	id := int64(0)
	for _, c := range name {
		id = id*31 + int64(c)
	}
	id = id&0xffffff + 1
	return map[string]any{"id": id, "node_id": nodeID("LA", id), "name": name, "color": "ededed",
		"default": false, "description": nil, "url": s.api() + "/repos/" + r.fullName() + "/labels/" + name}
}

func (s *Sim) commentObject(r *repo, number int, c *issueComment) map[string]any {
	issue := fmt.Sprintf("%s/repos/%s/issues/%d", s.api(), r.fullName(), number)
	return map[string]any{
		"id": c.id, "node_id": nodeID("IC", c.id),
		"url":      fmt.Sprintf("%s/repos/%s/issues/comments/%d", s.api(), r.fullName(), c.id),
		"html_url": fmt.Sprintf("%s/%s/pull/%d#issuecomment-%d", s.base, r.fullName(), number, c.id),
		"body":     c.body, "user": s.user(c.user), "created_at": ts(c.created), "updated_at": ts(c.created),
		"issue_url": issue, "author_association": "MEMBER", "performed_via_github_app": nil,
		"reactions": reactions(fmt.Sprintf("%s/repos/%s/issues/comments/%d", s.api(), r.fullName(), c.id)),
	}
}

// reactions is an empty reaction rollup.
func reactions(url string) map[string]any {
	return map[string]any{"url": url + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
		"confused": 0, "heart": 0, "hooray": 0, "eyes": 0, "rocket": 0}
}

func (s *Sim) commentEvent(r *repo, p *pull, c *issueComment, sender string) event {
	pr := s.pullObject(r, p)
	issue := map[string]any{
		"url": pr["issue_url"], "id": p.id, "node_id": nodeID("I", p.id), "number": p.number,
		"title": p.title, "user": pr["user"], "labels": pr["labels"], "state": p.state,
		"locked": false, "comments": len(r.comments[p.number]), "body": pr["body"],
		"created_at": pr["created_at"], "updated_at": pr["updated_at"], "closed_at": pr["closed_at"],
		"html_url": pr["html_url"], "author_association": "MEMBER",
		"repository_url": s.api() + "/repos/" + r.fullName(), "labels_url": pr["issue_url"].(string) + "/labels{/name}",
		"comments_url": pr["issue_url"].(string) + "/comments", "events_url": pr["issue_url"].(string) + "/events",
		"assignee": nil, "assignees": []any{}, "milestone": nil, "active_lock_reason": nil,
		"reactions": reactions(pr["issue_url"].(string)), "draft": p.draft,
		"pull_request": map[string]any{"url": pr["url"], "html_url": pr["html_url"],
			"diff_url": pr["diff_url"], "patch_url": pr["patch_url"], "merged_at": pr["merged_at"]},
	}
	return s.event("issue_comment", r, sender, map[string]any{
		"action": "created", "issue": issue, "comment": s.commentObject(r, p.number, c),
	})
}

func (s *Sim) commentRoutes() {
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", authToken, s.listComments)
	s.handle("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", authToken, s.createComment)
}

// routeIssue resolves the route's repository and the pull request its
// {issue_number} names (the simulator's issues are its pull requests).
func (s *Sim) routeIssue(q *request) (*repo, *pull, *response) {
	return s.routeNumber(q, "issue_number")
}

func (s *Sim) listComments(q *request) response {
	r, p, e := s.routeIssue(q)
	if e != nil {
		return *e
	}
	resp := response{status: http.StatusOK}
	out := pageMap(q, r.comments[p.number], &resp, func(c *issueComment) map[string]any { return s.commentObject(r, p.number, c) })
	resp.body = out
	return resp
}

func (s *Sim) createComment(q *request) response {
	r, p, e := s.routeIssue(q)
	if e != nil {
		return *e
	}
	var b struct {
		Body string `json:"body"`
	}
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	if b.Body == "" {
		return invalid("IssueComment", "body", "missing_field", "body is required")
	}
	c := &issueComment{id: s.id(), user: s.botLogin(), body: b.Body, created: s.clock()}
	r.comments[p.number] = append(r.comments[p.number], c)
	resp := created(s.commentObject(r, p.number, c))
	resp.events = []event{s.commentEvent(r, p, c, c.user)}
	return resp
}
