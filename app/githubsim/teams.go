package githubsim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// team is an organization team; members of child teams are members of
// the parent too, as on GitHub.
type team struct {
	id      int64
	org     string
	slug    string
	parent  string            // parent team slug, "" for none
	members map[string]string // login (lower case) -> state (active, pending)
	logins  map[string]string // lower case -> login as given
	created time.Time
}

func teamKey(org, slug string) string { return strings.ToLower(org + "/" + slug) }

// ensureTeam returns or creates a team. Callers hold s.mu.
func (s *Sim) ensureTeam(org, slug string) *team {
	k := teamKey(org, slug)
	if t := s.teams[k]; t != nil {
		return t
	}
	s.ensureInstallation(org)
	t := &team{id: s.id(), org: org, slug: slug, members: map[string]string{}, logins: map[string]string{}, created: s.clock()}
	s.teams[k] = t
	return t
}

// AddTeamMember adds user to org's team (created if new) with state
// "active" (default) or "pending", and emits membership added.
func (s *Sim) AddTeamMember(org, teamSlug, user, state string) error {
	if state == "" {
		state = "active"
	}
	if state != "active" && state != "pending" {
		return fmt.Errorf("membership state %q: %w", state, ErrInvalid)
	}
	if org == "" || teamSlug == "" || user == "" {
		return fmt.Errorf("team member %q in %s/%s: %w", user, org, teamSlug, ErrInvalid)
	}
	s.mu.Lock()
	t := s.ensureTeam(org, teamSlug)
	t.members[strings.ToLower(user)] = state
	t.logins[strings.ToLower(user)] = user
	evs := []event{s.membershipEvent(t, user, "added")}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// RemoveTeamMember removes user from the team and emits membership
// removed.
func (s *Sim) RemoveTeamMember(org, teamSlug, user string) error {
	s.mu.Lock()
	t := s.teams[teamKey(org, teamSlug)]
	if t == nil || t.members[strings.ToLower(user)] == "" {
		s.mu.Unlock()
		return fmt.Errorf("member %s of %s/%s: %w", user, org, teamSlug, ErrNotFound)
	}
	delete(t.members, strings.ToLower(user))
	evs := []event{s.membershipEvent(t, user, "removed")}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// SetParentTeam makes child a child team of parent (both created if
// new); members of child then count as members of parent.
func (s *Sim) SetParentTeam(org, child, parent string) error {
	if strings.EqualFold(child, parent) {
		return fmt.Errorf("team %s as its own parent: %w", child, ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.ensureTeam(org, child)
	s.ensureTeam(org, parent)
	// Refuse cycles: parent must not descend from child.
	for p := parent; p != ""; p = s.teams[teamKey(org, p)].parent {
		if strings.EqualFold(p, child) {
			return fmt.Errorf("team %s under %s makes a cycle: %w", child, parent, ErrInvalid)
		}
	}
	c.parent = parent
	return nil
}

// membership returns user's state in t, counting child teams: "" when
// not a member. An active membership anywhere wins over a pending one.
func (s *Sim) membership(t *team, login string) string {
	best := t.members[strings.ToLower(login)]
	for _, other := range s.teams {
		if best == "active" {
			break
		}
		if strings.EqualFold(other.org, t.org) && strings.EqualFold(other.parent, t.slug) {
			if st := s.membership(other, login); st == "active" || best == "" {
				best = st
			}
		}
	}
	return best
}

// activeMembers lists the active members of t and its child teams.
func (s *Sim) activeMembers(t *team, into map[string]string) {
	for k, st := range t.members {
		if st == "active" {
			into[k] = t.logins[k]
		}
	}
	for _, other := range s.teams {
		if strings.EqualFold(other.org, t.org) && strings.EqualFold(other.parent, t.slug) {
			s.activeMembers(other, into)
		}
	}
}

func (s *Sim) teamObject(t *team) map[string]any {
	u := fmt.Sprintf("%s/organizations/%d/team/%d", s.api(), s.userID(t.org), t.id)
	var parent any
	if t.parent != "" {
		if p := s.teams[teamKey(t.org, t.parent)]; p != nil {
			parent = map[string]any{"id": p.id, "slug": p.slug, "name": p.slug}
		}
	}
	return map[string]any{
		"id": t.id, "node_id": nodeID("T", t.id), "url": u, "html_url": s.base + "/orgs/" + t.org + "/teams/" + t.slug,
		"name": t.slug, "slug": t.slug, "description": nil, "privacy": "closed",
		"notification_setting": "notifications_enabled", "permission": "pull",
		"members_url": u + "/members{/member}", "repositories_url": u + "/repos", "parent": parent,
	}
}

func (s *Sim) membershipEvent(t *team, login, action string) event {
	return s.event("membership", nil, t.org, map[string]any{
		"action": action, "scope": "team", "member": s.user(login), "team": s.teamObject(t),
		"organization": s.orgObject(t.org),
	})
}

func (s *Sim) teamRoutes() {
	s.handle("GET /orgs/{org}/teams/{team_slug}", authToken, s.getTeam)
	s.handle("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", authToken, s.getMembership)
	s.handle("GET /orgs/{org}/teams/{team_slug}/members", authToken, s.listMembers)
}

func (s *Sim) routeTeam(q *request) (*team, *response) {
	t := s.teams[teamKey(q.path("org"), q.path("team_slug"))]
	if t == nil || !q.canSee(q.path("org")) {
		resp := notFound()
		return nil, &resp
	}
	return t, nil
}

func (s *Sim) getTeam(q *request) response {
	t, e := s.routeTeam(q)
	if e != nil {
		return *e
	}
	// team-full adds counts, dates and the organization.
	obj := s.teamObject(t)
	members := map[string]string{}
	s.activeMembers(t, members)
	org := s.orgObject(t.org)
	for k, v := range map[string]any{
		"html_url": s.base + "/" + t.org, "has_organization_projects": false,
		"has_repository_projects": false, "public_repos": 0, "public_gists": 0, "followers": 0,
		"following": 0, "type": "Organization", "created_at": ts(t.created), "updated_at": ts(t.created),
		"archived_at": nil,
	} {
		org[k] = v
	}
	repos := 0
	for _, r := range s.repos {
		if strings.EqualFold(r.owner, t.org) {
			repos++
		}
	}
	obj["members_count"], obj["repos_count"], obj["organization"] = len(members), repos, org
	obj["created_at"], obj["updated_at"] = ts(t.created), ts(t.created)
	obj["type"], obj["organization_id"] = "organization", s.userID(t.org)
	return ok(obj)
}

func (s *Sim) getMembership(q *request) response {
	t, e := s.routeTeam(q)
	if e != nil {
		return *e
	}
	st := s.membership(t, q.path("username"))
	if st == "" {
		return notFound()
	}
	return ok(map[string]any{
		"url":  fmt.Sprintf("%s/organizations/%d/team/%d/memberships/%s", s.api(), s.userID(t.org), t.id, q.path("username")),
		"role": "member", "state": st,
	})
}

func (s *Sim) listMembers(q *request) response {
	t, e := s.routeTeam(q)
	if e != nil {
		return *e
	}
	if role := q.query("role"); role == "maintainer" {
		return ok([]any{})
	}
	members := map[string]string{}
	s.activeMembers(t, members)
	keys := sortedKeys(members)
	logins := make([]string, 0, len(keys))
	for _, k := range keys {
		logins = append(logins, members[k])
	}
	slices.Sort(logins)
	resp := response{status: http.StatusOK}
	out := pageMap(q, logins, &resp, s.user)
	resp.body = out
	return resp
}
