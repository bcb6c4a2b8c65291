package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/mergequeue"
	"github.com/zgate-dev/zgate/app/store"
)

// mergeGroupPayload is a merge_group webhook.
type mergeGroupPayload struct {
	payloadEvent
	Reason     string `json:"reason"`
	MergeGroup *struct {
		HeadSHA string `json:"head_sha"`
		HeadRef string `json:"head_ref"`
		BaseRef string `json:"base_ref"`
	} `json:"merge_group"`
}

// handleMergeGroup judges the repository's merge groups when GitHub asks
// for a group's checks (checks_requested): the engine lists every group
// of the repository and reports zgate's checks on each head, so the
// group's pull requests come from GitHub's state, never from the payload
// alone. A destroyed group is no longer listed, so no longer judged; what
// zgate stored about it (the fingerprints of the check runs and the status
// notices of its head commit) is dropped.
func handleMergeGroup(_ *Server, log *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[mergeGroupPayload](body)
	if err != nil {
		return outcome{}, err
	}
	if ev.MergeGroup == nil {
		return outcome{}, fmt.Errorf("%w: merge_group payload has no merge_group", errCannotAct)
	}
	ref, perr := mergequeue.ParseRef(ev.MergeGroup.HeadRef)
	switch ev.Action {
	case "checks_requested":
	case "destroyed":
		// What zgate stored about the group is what it stored about its
		// head commit: check-run fingerprints and status notices.
		out, _ := ignore("merge group %s destroyed (%s)", ev.MergeGroup.HeadSHA, ev.Reason)
		if k, err := prKey(ev.Installation.gh(), ev.Repo.gh(), 0); err == nil && ev.MergeGroup.HeadSHA != "" {
			out.forget = []statusNote{{owner: k.Owner, repo: k.Repo, sha: ev.MergeGroup.HeadSHA}}
		}
		return out, nil
	default:
		return ignore("merge_group action %q", ev.Action)
	}
	if perr != nil {
		// Not a name GitHub gives merge groups: judge the queue anyway
		// (the engine fails closed on groups it cannot read).
		log.Warn("merge group with an unexpected head ref", "head_ref", ev.MergeGroup.HeadRef, "err", perr)
	} else {
		log.Info("merge group checks requested", "head_sha", ev.MergeGroup.HeadSHA, "base", ref.Base, "last_pr", ref.PR)
	}
	k, err := prKey(ev.Installation.gh(), ev.Repo.gh(), 0)
	if err != nil {
		return outcome{}, err
	}
	return outcome{keys: []store.PRKey{engine.MergeQueueKey(k.Installation, k.Owner, k.Repo)}}, nil
}

// commitForgetter drops what the store keeps about a commit
// (*store.Store, which is also the Config's StatusNotes).
type commitForgetter interface {
	ForgetCommit(ctx context.Context, owner, repo, sha string) error
}

// forgetCommits drops the stored state of destroyed merge groups' heads.
// Failing to is harmless (the store prunes it by age), so it never fails
// the delivery.
func (s *Server) forgetCommits(ctx context.Context, commits []statusNote) error {
	f, ok := s.cfg.StatusNotes.(commitForgetter)
	if !ok {
		return nil
	}
	for _, c := range commits {
		if err := f.ForgetCommit(ctx, c.owner, c.repo, c.sha); err != nil {
			return err
		}
	}
	return nil
}
