package githubsim

import "fmt"

// BranchSHA returns the commit branch points at, for tests that check
// where a merge landed.
func (s *Sim) BranchSHA(owner, repoName, branch string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return "", fmt.Errorf("branch %s of %s/%s: %w", branch, owner, repoName, ErrNotFound)
	}
	sha, ok := r.branches[branch]
	if !ok {
		return "", fmt.Errorf("branch %s of %s/%s: %w", branch, owner, repoName, ErrNotFound)
	}
	return sha, nil
}
