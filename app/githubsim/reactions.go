package githubsim

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// reaction is one reaction to an issue comment.
type reaction struct {
	id      int64
	user    string
	content string
	created time.Time
}

// reactionContents are the reactions GitHub accepts.
var reactionContents = []string{"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}

func (s *Sim) reactionRoutes() {
	s.handle("GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", authToken, s.listReactions)
	s.handle("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", authToken, s.createReaction)
}

// reactionRollup is a comment's reactions summary with its counts.
func reactionRollup(url string, rs []*reaction) map[string]any {
	m := reactions(url)
	for _, r := range rs {
		m[r.content] = m[r.content].(int) + 1
		m["total_count"] = m["total_count"].(int) + 1
	}
	return m
}

func (s *Sim) reactionObject(rc *reaction) map[string]any {
	return map[string]any{"id": rc.id, "node_id": nodeID("REA", rc.id), "user": s.user(rc.user),
		"content": rc.content, "created_at": ts(rc.created)}
}

// routeComment resolves {comment_id} in the route's repository.
func (s *Sim) routeComment(q *request) (*issueComment, *response) {
	r, e := s.visibleRepo(q)
	if e != nil {
		return nil, e
	}
	id, err := strconv.ParseInt(q.path("comment_id"), 10, 64)
	if err != nil {
		resp := notFound()
		return nil, &resp
	}
	_, c := r.findComment(id)
	if c == nil {
		resp := notFound()
		return nil, &resp
	}
	return c, nil
}

func (s *Sim) listReactions(q *request) response {
	c, e := s.routeComment(q)
	if e != nil {
		return *e
	}
	resp := response{status: http.StatusOK}
	resp.body = pageMap(q, c.reactions, &resp, s.reactionObject)
	return resp
}

// createReaction answers POST: 201 with a new reaction, 200 with the
// existing one when the caller already reacted with that content, 422
// for an unknown content. No webhook: GitHub sends none for reactions.
func (s *Sim) createReaction(q *request) response {
	c, e := s.routeComment(q)
	if e != nil {
		return *e
	}
	var b struct {
		Content string `json:"content"`
	}
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	if !slices.Contains(reactionContents, b.Content) {
		return invalid("Reaction", "content", "invalid", "content is not included in the list")
	}
	user := s.botLogin()
	for _, rc := range c.reactions {
		if rc.user == user && rc.content == b.Content {
			return ok(s.reactionObject(rc))
		}
	}
	rc := &reaction{id: s.id(), user: user, content: b.Content, created: s.clock()}
	c.reactions = append(c.reactions, rc)
	return created(s.reactionObject(rc))
}

// Reaction is a reaction tests assert on.
type Reaction struct {
	User, Content string
}

// CommentReactions lists the reactions to issue comment id.
func (s *Sim) CommentReactions(owner, repoName string, id int64) ([]Reaction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return nil, ErrNotFound
	}
	_, c := r.findComment(id)
	if c == nil {
		return nil, ErrNotFound
	}
	out := []Reaction{}
	for _, rc := range c.reactions {
		out = append(out, Reaction{User: rc.user, Content: rc.content})
	}
	return out, nil
}

// IssueComment is an issue comment tests assert on.
type IssueComment struct {
	ID         int64
	User, Body string
}

// IssueComments lists the comments on pull request number, oldest first.
func (s *Sim) IssueComments(owner, repoName string, number int) ([]IssueComment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, _, err := s.findPull(owner, repoName, number)
	if err != nil {
		return nil, err
	}
	out := []IssueComment{}
	for _, c := range r.comments[number] {
		out = append(out, IssueComment{ID: c.id, User: c.user, Body: c.body})
	}
	return out, nil
}
