package githubsim

import "fmt"

// Fetch copies commit sha and its ancestors from fromOwner/fromRepo into
// owner/repoName, as `git fetch` from another repository does: the same
// commits have the same ids in both (a deploy repository carrying an
// application repository's commits). No ref moves and no event is sent;
// [Sim.MoveBranch] then points a branch at it.
func (s *Sim) Fetch(owner, repoName, fromOwner, fromRepo, sha string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	to, from := s.repo(owner, repoName), s.repo(fromOwner, fromRepo)
	if to == nil || from == nil || from.commits[sha] == nil {
		return fmt.Errorf("fetch %s from %s/%s into %s/%s: %w", sha, fromOwner, fromRepo, owner, repoName, ErrNotFound)
	}
	todo := []string{sha}
	for len(todo) > 0 {
		id := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if to.commits[id] != nil {
			continue
		}
		c := from.commits[id]
		if c == nil {
			return fmt.Errorf("fetch %s from %s/%s: missing ancestor %s: %w", sha, fromOwner, fromRepo, id, ErrNotFound)
		}
		// Commits are never changed once made, so both repositories can
		// share one.
		to.commits[id] = c
		todo = append(todo, c.parents...)
	}
	return nil
}
