package githubsim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// issueComment is a comment on a pull request's conversation.
type issueComment struct {
	id      int64
	user    string
	body    string
	created time.Time
	// updated is the last edit; equal to created until one.
	updated time.Time
	// reactions are the reactions to the comment, oldest first.
	reactions []*reaction
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
	now := s.clock()
	c := &issueComment{id: s.id(), user: user, body: body, created: now, updated: now}
	r.comments[number] = append(r.comments[number], c)
	evs := []event{s.commentEvent(r, p, c, user, "created", nil)}
	s.mu.Unlock()
	s.post(evs, true)
	return c.id, nil
}

// EditComment replaces the body of issue comment id, as editor (the
// comment's author or anyone with write access), sets its updated_at and
// emits issue_comment edited with the old body in changes.
func (s *Sim) EditComment(owner, repoName string, id int64, editor, body string) error {
	s.mu.Lock()
	r := s.repo(owner, repoName)
	if r == nil {
		s.mu.Unlock()
		return fmt.Errorf("edit comment %d in %s/%s: %w", id, owner, repoName, ErrNotFound)
	}
	p, c := r.findComment(id)
	if c == nil {
		s.mu.Unlock()
		return fmt.Errorf("edit comment %d in %s/%s: %w", id, owner, repoName, ErrNotFound)
	}
	evs := []event{s.editComment(r, p, c, editor, body)}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// editComment applies an edit and returns its webhook. Callers hold s.mu.
func (s *Sim) editComment(r *repo, p *pull, c *issueComment, editor, body string) event {
	was := c.body
	c.body = body
	c.updated = s.clock()
	if !c.updated.After(c.created) {
		// GitHub's times are whole seconds; an edit is always later.
		c.updated = c.created.Add(time.Second)
	}
	return s.commentEvent(r, p, c, editor, "edited", map[string]any{"body": map[string]any{"from": was}})
}

// findComment returns issue comment id and its pull request, or nils.
func (r *repo) findComment(id int64) (*pull, *issueComment) {
	for n, cs := range r.comments {
		for _, c := range cs {
			if c.id == id {
				return r.pulls[n], c
			}
		}
	}
	return nil, nil
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
		"body":     c.body, "user": s.userJSON(c.user), "created_at": ts(c.created), "updated_at": ts(c.updated),
		"issue_url": issue, "author_association": "MEMBER", "performed_via_github_app": nil,
		"reactions": reactionRollup(fmt.Sprintf("%s/repos/%s/issues/comments/%d", s.api(), r.fullName(), c.id), c.reactions),
	}
}

// reactions is an empty reaction rollup.
func reactions(url string) map[string]any {
	return map[string]any{"url": url + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
		"confused": 0, "heart": 0, "hooray": 0, "eyes": 0, "rocket": 0}
}

// commentEvent builds issue_comment with action (created, edited); changes
// is the edited event's changes object, nil otherwise.
func (s *Sim) commentEvent(r *repo, p *pull, c *issueComment, sender, action string, changes map[string]any) event {
	pr := s.pullObject(r, p)
	issue := map[string]any{
		"url": pr.get("issue_url"), "id": p.id, "node_id": nodeID("I", p.id), "number": p.number,
		"title": p.title, "user": pr.get("user"), "labels": pr.get("labels"), "state": p.state,
		"locked": false, "comments": len(r.comments[p.number]), "body": pr.get("body"),
		"created_at": pr.get("created_at"), "updated_at": pr.get("updated_at"), "closed_at": pr.get("closed_at"),
		"html_url": pr.get("html_url"), "author_association": "MEMBER",
		"repository_url": s.api() + "/repos/" + r.fullName(), "labels_url": pr.get("issue_url").(string) + "/labels{/name}",
		"comments_url": pr.get("issue_url").(string) + "/comments", "events_url": pr.get("issue_url").(string) + "/events",
		"assignee": nil, "assignees": []any{}, "milestone": nil, "active_lock_reason": nil,
		"reactions": reactions(pr.get("issue_url").(string)), "draft": p.draft,
		"pull_request": map[string]any{"url": pr.get("url"), "html_url": pr.get("html_url"),
			"diff_url": pr.get("diff_url"), "patch_url": pr.get("patch_url"), "merged_at": pr.get("merged_at")},
	}
	fields := map[string]any{"action": action, "issue": issue, "comment": s.commentObject(r, p.number, c)}
	if changes != nil {
		fields["changes"] = changes
	}
	return s.event("issue_comment", r, sender, fields)
}

func (s *Sim) commentRoutes() {
	s.handle("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", authToken, s.listComments)
	s.handle("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", authToken, s.createComment)
	s.handle("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", authToken, s.updateComment)
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
	now := s.clock()
	c := &issueComment{id: s.id(), user: s.botLogin(), body: b.Body, created: now, updated: now}
	r.comments[p.number] = append(r.comments[p.number], c)
	resp := created(s.commentObject(r, p.number, c))
	resp.events = []event{s.commentEvent(r, p, c, c.user, "created", nil)}
	return resp
}

// updateComment answers PATCH .../issues/comments/{comment_id}: the App
// edits a comment (its token may edit any, as GitHub lets Apps with
// issues or pull requests write do).
func (s *Sim) updateComment(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	id, err := strconv.ParseInt(q.path("comment_id"), 10, 64)
	if err != nil {
		return notFound()
	}
	p, c := r.findComment(id)
	if c == nil || p == nil {
		return notFound()
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
	ev := s.editComment(r, p, c, s.botLogin(), b.Body)
	resp := ok(s.commentObject(r, p.number, c))
	resp.events = []event{ev}
	return resp
}
