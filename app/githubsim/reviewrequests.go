package githubsim

import (
	"fmt"
	"slices"
)

// Review requests, as GitHub's REST API serves them
// (docs.github.com/rest/pulls/review-requests): only team requests are
// modelled; user reviewers in a request are refused with 422.

func (s *Sim) reviewRequestRoutes() {
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", authToken, s.listRequestedReviewers)
	s.handle("POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", authToken, s.requestReviewers)
	s.handle("DELETE /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", authToken, s.removeRequestedReviewers)
}

// requestedTeamObjects is the pull request's requested_teams.
func (s *Sim) requestedTeamObjects(p *pull) []any {
	out := []any{}
	for _, k := range p.requestedTeams {
		if t := s.teams[k]; t != nil {
			out = append(out, s.teamObject(t))
		}
	}
	return out
}

// reviewersBody is the body of POST and DELETE .../requested_reviewers.
type reviewersBody struct {
	Reviewers     []string `json:"reviewers"`
	TeamReviewers []string `json:"team_reviewers"`
}

// reviewTeams resolves team slugs of the repository's organization; a
// response when one is not there (GitHub: 422, not a collaborator).
func (s *Sim) reviewTeams(r *repo, b reviewersBody) ([]*team, *response) {
	if len(b.Reviewers) > 0 {
		resp := unprocessable("githubsim: only team_reviewers are simulated")
		return nil, &resp
	}
	if len(b.TeamReviewers) == 0 {
		resp := unprocessable("Invalid request.\n\nNo subschema in \"anyOf\" matched.")
		return nil, &resp
	}
	var out []*team
	for _, slug := range b.TeamReviewers {
		t := s.teams[teamKey(r.owner, slug)]
		if t == nil {
			resp := unprocessable(fmt.Sprintf("Reviews may only be requested from collaborators. One or more of the teams you specified is not a collaborator of the %s repository.", r.fullName()))
			return nil, &resp
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *Sim) listRequestedReviewers(q *request) response {
	_, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	return ok(map[string]any{"users": []any{}, "teams": s.requestedTeamObjects(p)})
}

// requestReviewers answers POST: 201 with the pull request; each team
// not yet requested gets pull_request review_requested, sent by the
// caller (the App's bot).
func (s *Sim) requestReviewers(q *request) response {
	r, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	var b reviewersBody
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	teams, bad := s.reviewTeams(r, b)
	if bad != nil {
		return *bad
	}
	var evs []event
	for _, t := range teams {
		k := teamKey(t.org, t.slug)
		if slices.Contains(p.requestedTeams, k) {
			continue
		}
		p.requestedTeams = append(p.requestedTeams, k)
		evs = append(evs, s.pullEvent(r, p, "review_requested", s.botLogin(), map[string]any{"requested_team": s.teamObject(t)}))
	}
	resp := created(s.pullObject(r, p))
	resp.events = evs
	return resp
}

// removeRequestedReviewers answers DELETE: 200 with the pull request.
func (s *Sim) removeRequestedReviewers(q *request) response {
	r, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	var b reviewersBody
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	teams, bad := s.reviewTeams(r, b)
	if bad != nil {
		return *bad
	}
	resp := ok(nil)
	for _, t := range teams {
		if ev, removed := s.unrequest(r, p, t, s.botLogin()); removed {
			resp.events = append(resp.events, ev)
		}
	}
	resp.body = s.pullObject(r, p)
	return resp
}

// unrequest drops t's request and returns its review_request_removed.
// Callers hold s.mu.
func (s *Sim) unrequest(r *repo, p *pull, t *team, sender string) (event, bool) {
	k := teamKey(t.org, t.slug)
	i := slices.Index(p.requestedTeams, k)
	if i < 0 {
		return event{}, false
	}
	p.requestedTeams = slices.Delete(p.requestedTeams, i, i+1)
	return s.pullEvent(r, p, "review_request_removed", sender, map[string]any{"requested_team": s.teamObject(t)}), true
}

// RequestTeamReview requests a review from org team slug on the pull
// request as user (a person, in the web UI) and emits
// pull_request review_requested.
func (s *Sim) RequestTeamReview(owner, repoName string, number int, slug, user string) error {
	return s.changeTeamRequest(owner, repoName, number, slug, "request review from", func(r *repo, p *pull, t *team) (event, bool) {
		k := teamKey(t.org, t.slug)
		if slices.Contains(p.requestedTeams, k) {
			return event{}, false
		}
		p.requestedTeams = append(p.requestedTeams, k)
		return s.pullEvent(r, p, "review_requested", user, map[string]any{"requested_team": s.teamObject(t)}), true
	})
}

// RemoveTeamReviewRequest removes the review request of team slug as
// user (a person) and emits pull_request review_request_removed.
func (s *Sim) RemoveTeamReviewRequest(owner, repoName string, number int, slug, user string) error {
	return s.changeTeamRequest(owner, repoName, number, slug, "remove review request of", func(r *repo, p *pull, t *team) (event, bool) {
		return s.unrequest(r, p, t, user)
	})
}

// changeTeamRequest runs change on the pull request and the repository
// owner's team slug under the lock, then posts the event it made, if any.
func (s *Sim) changeTeamRequest(owner, repoName string, number int, slug, what string, change func(*repo, *pull, *team) (event, bool)) error {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	t := s.teams[teamKey(r.owner, slug)]
	if t == nil {
		s.mu.Unlock()
		return fmt.Errorf("%s %s/%s: %w", what, r.owner, slug, ErrNotFound)
	}
	var evs []event
	if ev, ok := change(r, p, t); ok {
		evs = append(evs, ev)
	}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// RequestedTeams lists the slugs ("org/team") whose review is requested
// on the pull request.
func (s *Sim) RequestedTeams(owner, repoName string, number int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, k := range p.requestedTeams {
		if t := s.teams[k]; t != nil {
			out = append(out, t.org+"/"+t.slug)
		}
	}
	return out, nil
}
