package githubsim

import (
	"fmt"
	"net/http"
)

// mergeRequest is the body of PUT /repos/{o}/{r}/pulls/{n}/merge.
type mergeRequest struct {
	CommitTitle   string `json:"commit_title"`
	CommitMessage string `json:"commit_message"`
	SHA           string `json:"sha"`
	MergeMethod   string `json:"merge_method"`
}

// botLogin is the App's bot user, the sender of what the App does.
func (s *Sim) botLogin() string {
	if s.app == nil {
		return "app[bot]"
	}
	return s.app.slug + "[bot]"
}

// mergePull merges like GitHub: 405 when the pull request cannot be
// merged (closed, draft, conflicting, a required check not green), 409
// when sha is not the head any more, 422 for a bad merge_method.
func (s *Sim) mergePull(q *request) response {
	r, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	var body mergeRequest
	if bad := q.decode(&body); bad != nil {
		return *bad
	}
	switch body.MergeMethod {
	case "":
		body.MergeMethod = "merge"
	case "merge", "squash", "rebase":
	default:
		return invalid("PullRequest", "merge_method", "invalid", "merge_method must be merge, squash or rebase")
	}
	switch {
	case p.state != "open":
		return apiError(http.StatusMethodNotAllowed, "Pull Request is not mergeable")
	case body.SHA != "" && body.SHA != p.headSHA:
		return apiError(http.StatusConflict, "Head branch was modified. Review and try the merge again.")
	case p.draft:
		return apiError(http.StatusMethodNotAllowed, "Pull Request is still a draft")
	case r.conflicts(p):
		return apiError(http.StatusMethodNotAllowed, "Pull Request is not mergeable")
	}
	if missing := s.failingRequired(r, p.baseRef, p.headSHA); missing != "" {
		return apiError(http.StatusMethodNotAllowed, fmt.Sprintf("Required status check %q is expected.", missing))
	}

	baseSHA := r.branches[p.baseRef]
	tree, _ := r.mergedTree(p)
	msg := body.CommitTitle
	if msg == "" {
		msg = fmt.Sprintf("Merge pull request #%d from %s/%s", p.number, r.owner, p.headRef)
		if body.MergeMethod != "merge" {
			msg = fmt.Sprintf("%s (#%d)", p.title, p.number)
		}
	}
	if body.CommitMessage != "" {
		msg += "\n\n" + body.CommitMessage
	}
	parents := []string{baseSHA, p.headSHA}
	if body.MergeMethod != "merge" {
		parents = parents[:1]
	}
	bot := s.botLogin()
	c := s.newCommit(tree, parents, msg, bot)
	now := s.clock()
	p.merged, p.mergeCommitSHA, p.mergedBy = true, c.sha, bot
	p.state, p.closed, p.mergedAt, p.updated = "closed", now, now, now
	r.open--
	evs := s.advance(r, p.baseRef, c, bot, baseSHA)
	evs = append(evs, s.pullEvent(r, p, "closed", bot, nil))
	resp := ok(map[string]any{"sha": c.sha, "merged": true, "message": "Pull Request successfully merged"})
	resp.events = evs
	return resp
}
