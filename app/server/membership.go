package server

import (
	"log/slog"

	"github.com/google/go-github/v62/github"
)

// handleMembership drops cached team membership when a team's members (a
// membership event) or the team itself (a team event: renamed, moved under
// another parent, deleted) change. Which pull requests that affects is not
// known here; their next event, timer or the periodic sweep re-evaluates
// them with fresh membership.
func handleMembership(s *Server, log *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[struct {
		Action string               `json:"action"`
		Team   *github.Team         `json:"team"`
		Org    *github.Organization `json:"organization"`
	}](body)
	if err != nil {
		return outcome{}, err
	}
	org := ev.Org.GetLogin()
	team := ev.Team.GetSlug()
	if ev.Team.GetParent() != nil || ev.Action != "added" && ev.Action != "removed" {
		// Moved or edited teams change their children too: drop the org.
		team = ""
	}
	if org == "" {
		return ignore("membership event without an organization")
	}
	if s.cfg.Invalidate != nil {
		s.cfg.Invalidate(org, team)
	}
	log.Info("team membership cache dropped", "org", org, "team", team)
	return ignore("membership cache dropped for %s/%s", org, team)
}
