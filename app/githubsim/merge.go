package githubsim

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrRefused is wrapped by [Sim.MergePR] when GitHub would refuse the
// merge (405, 409, 422); the error carries GitHub's status and message.
var ErrRefused = errors.New("githubsim: refused")

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
// when sha is not the head any more, 422 for a bad merge_method. The App's
// bot is the merger.
func (s *Sim) mergePull(q *request) response {
	r, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	var body mergeRequest
	if bad := q.decode(&body); bad != nil {
		return *bad
	}
	return s.merge(r, p, body, s.botLogin())
}

// MergePR merges pull request number as user would from GitHub's UI or
// with their own token, under the same rules as the REST call: branch
// protection of the pull request's current base (its required checks
// green on the head), the sha guard when sha is not empty, and method
// ("" for merge). It returns the merge commit, or an error wrapping
// [ErrRefused] with GitHub's message when GitHub would refuse.
func (s *Sim) MergePR(owner, repoName string, number int, user, sha, method string) (string, error) {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	resp := s.merge(r, p, mergeRequest{SHA: sha, MergeMethod: method}, user)
	s.mu.Unlock()
	if resp.status != http.StatusOK {
		msg := ""
		if b, ok := resp.body.(apiErrorBody); ok {
			msg = b.Message
			for _, v := range b.Errors {
				msg += "; " + v.Message
			}
		}
		return "", fmt.Errorf("merge %s/%s#%d by %s: %d %s: %w", owner, repoName, number, user, resp.status, msg, ErrRefused)
	}
	s.post(resp.events, true)
	return resp.body.(map[string]any)["sha"].(string), nil
}

// merge merges p into its current base as by. Callers hold s.mu.
func (s *Sim) merge(r *repo, p *pull, body mergeRequest, by string) response {
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
	case r.mergeQueue[p.baseRef]:
		// GitHub refuses every direct merge into a branch whose ruleset
		// requires a merge queue.
		return apiError(http.StatusMethodNotAllowed, "Changes must be made through the merge queue")
	case r.conflicts(p):
		return apiError(http.StatusMethodNotAllowed, "Pull Request is not mergeable")
	}
	// Branch protection is per base branch: the rules of the branch the
	// pull request targets now, whatever it targeted when checks ran.
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
	c := s.newCommit(tree, parents, msg, by)
	now := s.clock()
	p.merged, p.mergeCommitSHA, p.mergedBy = true, c.sha, by
	p.state, p.closed, p.mergedAt, p.updated = "closed", now, now, now
	r.open--
	evs := s.advance(r, p.baseRef, c, by, baseSHA)
	evs = append(evs, s.pullEvent(r, p, "closed", by, nil))
	resp := ok(map[string]any{"sha": c.sha, "merged": true, "message": "Pull Request successfully merged"})
	resp.events = evs
	return resp
}
