package server

import (
	"log/slog"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/engine"
)

// handleInstallation logs installation changes, re-evaluates the open
// pull requests of repositories the App was just given (repository-level
// keys), so their gates report without waiting for the sweep, and drops
// the cached client of an installation deleted or suspended.
func handleInstallation(s *Server, log *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[struct {
		Action       string               `json:"action"`
		Installation *github.Installation `json:"installation"`
		Repositories []*github.Repository `json:"repositories"`
		Added        []*github.Repository `json:"repositories_added"`
		Removed      []*github.Repository `json:"repositories_removed"`
	}](body)
	if err != nil {
		return outcome{}, err
	}
	id := ev.Installation.GetID()
	if id == 0 {
		return outcome{}, errNoInstallation
	}
	log.Info("installation changed", "installation", id, "action", ev.Action,
		"account", ev.Installation.GetAccount().GetLogin(), "added", len(ev.Added)+len(ev.Repositories), "removed", len(ev.Removed))
	var repos []*github.Repository
	switch ev.Action {
	case "created", "new_permissions_accepted", "unsuspend":
		repos = ev.Repositories
	case "added":
		repos = ev.Added
	case "deleted", "suspend":
		if s.cfg.Uninstalled != nil {
			s.cfg.Uninstalled(id)
		}
	}
	var out outcome
	for _, r := range repos {
		// Installation payloads carry full_name but no owner object.
		owner, name, ok := strings.Cut(r.GetFullName(), "/")
		if !ok || owner == "" || name == "" {
			continue
		}
		out.keys = append(out.keys, engine.RepoKey(id, owner, name))
	}
	if len(out.keys) == 0 {
		return ignore("installation %s", ev.Action)
	}
	return out, nil
}
