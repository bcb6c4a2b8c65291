package githubsim

import (
	"fmt"
	"slices"
	"strings"
)

// SetRequiredCheckSource pins the required check context of branch to an
// expected source, as GitHub's branch protection does with an App: only a
// check run or commit status created by source (a login such as
// "zgate[bot]"; every check run here is the App's, [Sim] has no other
// check-run author) satisfies it. Without a pin, a status of that name
// from anyone does. The context must be required already
// ([Sim.SetRequiredChecks]); "" removes the pin.
func (s *Sim) SetRequiredCheckSource(owner, repoName, branch, context, source string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("required check source on %s/%s: %w", owner, repoName, ErrNotFound)
	}
	if !slices.Contains(r.required[branch], context) {
		return fmt.Errorf("check %s is not required on %s: %w", context, branch, ErrInvalid)
	}
	if r.source == nil {
		r.source = map[string]string{}
	}
	if source == "" {
		delete(r.source, branch+"\x00"+context)
		return nil
	}
	r.source[branch+"\x00"+context] = source
	return nil
}

// greenFrom is green counting only check runs and statuses by source.
// Callers hold s.mu.
func (s *Sim) greenFrom(r *repo, name, sha, source string) bool {
	if strings.EqualFold(source, s.botLogin()) {
		if green, found := r.runGreen(name, sha); found {
			return green
		}
	}
	green, _ := r.statusGreen(name, sha, source)
	return green
}
