package githubsim

import "fmt"

// MoveBranch points branch at an existing commit sha, as pusher would with
// `git push origin <sha>:<branch>` (a fast-forward or a force push,
// creating the branch when new). It emits push and, for every open pull
// request whose head is branch, pull_request synchronize, both sent by
// pusher. With it the same commits can be the head of two pull requests.
func (s *Sim) MoveBranch(owner, repoName, branch, sha, pusher string) error {
	s.mu.Lock()
	r := s.repo(owner, repoName)
	if r == nil {
		s.mu.Unlock()
		return fmt.Errorf("move %s in %s/%s: %w", branch, owner, repoName, ErrNotFound)
	}
	c := r.commits[sha]
	if c == nil || branch == "" {
		s.mu.Unlock()
		return fmt.Errorf("move %q to %q in %s/%s: %w", branch, sha, owner, repoName, ErrNotFound)
	}
	evs := s.advance(r, branch, c, pusher, r.branches[branch])
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}
