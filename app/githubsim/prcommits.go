package githubsim

import "net/http"

// maxPRCommits is how many commits GitHub lists for a pull request; it
// silently drops the rest.
const maxPRCommits = 250

// prCommits are the commits on the head not on the base branch, parents
// before children (GitHub lists them oldest first). Callers hold s.mu.
func (r *repo) prCommits(p *pull) []*commit {
	inBase := r.ancestors(r.branchOr(p))
	seen := map[string]bool{}
	var out []*commit
	var visit func(sha string)
	visit = func(sha string) {
		c := r.commits[sha]
		if c == nil || seen[sha] || inBase[sha] {
			return
		}
		seen[sha] = true
		for _, parent := range c.parents {
			visit(parent)
		}
		out = append(out, c)
	}
	visit(p.headSHA)
	return out
}

// listPullCommits is GET /repos/{owner}/{repo}/pulls/{pull_number}/commits:
// at most 250 commits, paginated.
func (s *Sim) listPullCommits(q *request) response {
	r, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	cs := r.prCommits(p)
	if len(cs) > maxPRCommits {
		cs = cs[:maxPRCommits]
	}
	resp := response{status: http.StatusOK}
	resp.body = pageMap(q, cs, &resp, func(c *commit) commitObject { return s.commitObject(r, c) })
	return resp
}
