package githubsim

import (
	"fmt"
	"strings"
)

// RenameUser changes a user's login, as anyone can on GitHub (Settings >
// Account): the account, its id and its team memberships stay; only the
// login changes. GitHub sends Apps no webhook for it. Reviews, comments
// and commits made before keep the old login here (GitHub shows the new
// one), which is enough for what the tests need.
func (s *Sim) RenameUser(old, renamed string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ko, kn := strings.ToLower(old), strings.ToLower(renamed)
	id, ok := s.users[ko]
	if !ok {
		return fmt.Errorf("rename %q: %w", old, ErrNotFound)
	}
	if _, taken := s.users[kn]; taken {
		return fmt.Errorf("rename %q to %q: the login is taken: %w", old, renamed, ErrInvalid)
	}
	delete(s.users, ko)
	s.users[kn] = id
	for _, t := range s.teams {
		if st, ok := t.members[ko]; ok {
			delete(t.members, ko)
			delete(t.logins, ko)
			t.members[kn], t.logins[kn] = st, renamed
		}
	}
	return nil
}
