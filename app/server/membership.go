package server

import (
	"log/slog"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/store"
)

// handleMembership drops cached team membership when a team's members (a
// membership event) or the team itself (a team event: renamed, moved under
// another parent, deleted) change. When someone may have lost the right
// to approve (removed from a team, a team deleted or edited), it also
// re-evaluates every open pull request of the installation: a green check
// must not outlive the membership it counted, and which pull requests
// counted whom is not known here. Additions only drop the cache: they can
// only open gates, which the next event, timer or sweep does.
func handleMembership(s *Server, log *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[struct {
		Action       string               `json:"action"`
		Team         *github.Team         `json:"team"`
		Org          *github.Organization `json:"organization"`
		Installation *github.Installation `json:"installation"`
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
	if !mayRevoke(ev.Action) {
		return ignore("membership cache dropped for %s/%s", org, team)
	}
	return reevaluateInstallation(log, ev.Installation, org)
}

// handleOrganization handles organization events: a member who leaves
// the organization leaves all its teams (GitHub sends no membership event
// per team then), and a renamed organization renames every team slug.
func handleOrganization(s *Server, log *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[struct {
		Action       string               `json:"action"`
		Org          *github.Organization `json:"organization"`
		Installation *github.Installation `json:"installation"`
	}](body)
	if err != nil {
		return outcome{}, err
	}
	org := ev.Org.GetLogin()
	if org == "" {
		return ignore("organization event without an organization")
	}
	switch ev.Action {
	case "member_removed", "renamed":
	default:
		return ignore("organization %s", ev.Action)
	}
	if s.cfg.Invalidate != nil {
		s.cfg.Invalidate(org, "")
	}
	log.Info("team membership cache dropped", "org", org, "action", ev.Action)
	return reevaluateInstallation(log, ev.Installation, org)
}

// mayRevoke reports whether a membership or team event's action can take
// the right to approve from someone.
func mayRevoke(action string) bool {
	switch action {
	case "removed", "deleted", "edited", "removed_from_repository":
		return true
	}
	return false
}

// reevaluateInstallation is the outcome "re-evaluate every open pull
// request of the installation" ([engine.InstallationKey]).
func reevaluateInstallation(log *slog.Logger, inst *github.Installation, org string) (outcome, error) {
	if inst.GetID() == 0 {
		return ignore("membership change in %s without an installation", org)
	}
	log.Info("membership may have been revoked: re-evaluating the installation's open pull requests", "org", org, "installation", inst.GetID())
	return outcome{keys: []store.PRKey{engine.InstallationKey(inst.GetID(), org)}}, nil
}
