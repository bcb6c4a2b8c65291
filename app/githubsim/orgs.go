package githubsim

import (
	"fmt"
	"strings"
)

// RemoveOrgMember removes user from the organization, and so from every
// team of it, and emits organization member_removed (GitHub sends no
// membership event per team then).
func (s *Sim) RemoveOrgMember(org, user string) error {
	s.mu.Lock()
	found := false
	for _, t := range s.teams {
		if strings.EqualFold(t.org, org) && t.members[strings.ToLower(user)] != "" {
			delete(t.members, strings.ToLower(user))
			found = true
		}
	}
	if !found {
		s.mu.Unlock()
		return fmt.Errorf("member %s of %s: %w", user, org, ErrNotFound)
	}
	evs := []event{s.event("organization", nil, org, map[string]any{
		"action": "member_removed",
		"membership": map[string]any{
			"url":   s.api() + "/orgs/" + org + "/memberships/" + user,
			"state": "active", "role": "member", "organization_url": s.api() + "/orgs/" + org,
			"user": s.user(user),
		},
		"organization": s.orgObject(org),
	})}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// DeleteTeam deletes org's team (its child teams move to its parent, as
// on GitHub) and emits team deleted.
func (s *Sim) DeleteTeam(org, slug string) error {
	s.mu.Lock()
	t := s.teams[teamKey(org, slug)]
	if t == nil {
		s.mu.Unlock()
		return fmt.Errorf("team %s/%s: %w", org, slug, ErrNotFound)
	}
	obj := s.teamObject(t)
	for _, other := range s.teams {
		if strings.EqualFold(other.org, org) && strings.EqualFold(other.parent, t.slug) {
			other.parent = t.parent
		}
	}
	delete(s.teams, teamKey(org, slug))
	evs := []event{s.event("team", nil, org, map[string]any{"action": "deleted", "team": obj, "organization": s.orgObject(org)})}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}
