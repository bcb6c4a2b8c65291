package server

import (
	"context"
	"log/slog"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
)

// handleStatus reacts to a commit status that claims a zgate check name
// ("zgate", "zgate: <base>", "zgate/<gate>", "zgate/<gate>: <base>"): set by anyone but zgate, it could satisfy
// branch protection in the gate's place. Which pull request has the commit
// is not known without asking GitHub, so the repository's open pull
// requests are re-evaluated; the engine overwrites a status that disagrees
// with the gate. Other statuses change no decision.
func handleStatus(_ *Server, log *slog.Logger, body []byte) (outcome, error) {
	raw, err := decode[struct {
		payloadEvent
		Context string `json:"context"`
		State   string `json:"state"`
		SHA     string `json:"sha"`
	}](body)
	if err != nil {
		return outcome{}, err
	}
	ev := &github.StatusEvent{Context: &raw.Context, State: &raw.State, SHA: &raw.SHA,
		Installation: raw.Installation.gh(), Repo: raw.Repo.gh(), Sender: raw.Sender.gh()}
	c := ev.GetContext()
	if !report.ClaimsCheck(c) {
		return ignore("status %q is not a zgate check", c)
	}
	if ev.GetInstallation().GetID() == 0 {
		return outcome{}, errNoInstallation
	}
	owner, name, ok := strings.Cut(ev.GetRepo().GetFullName(), "/")
	if !ok {
		owner, name = ev.GetRepo().GetOwner().GetLogin(), ev.GetRepo().GetName()
	}
	if owner == "" || name == "" {
		return outcome{}, errNoRepository
	}
	log.Info("a commit status claims a zgate check", "context", c, "state", ev.GetState(), "sha", ev.GetSHA(), "by", ev.GetSender().GetLogin())
	out := outcome{keys: []store.PRKey{engine.RepoKey(ev.GetInstallation().GetID(), owner, name)}}
	if sha := ev.GetSHA(); sha != "" {
		out.statuses = []statusNote{{owner: owner, repo: name, sha: sha}}
	}
	return out, nil
}

// noteStatuses records the commits whose statuses must be read again.
func (s *Server) noteStatuses(ctx context.Context, notes []statusNote) error {
	if s.cfg.StatusNotes == nil {
		return nil
	}
	for _, n := range notes {
		if err := s.cfg.StatusNotes.NoteStatus(ctx, n.owner, n.repo, n.sha); err != nil {
			return err
		}
	}
	return nil
}
