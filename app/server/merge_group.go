package server

import (
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
// alone. A destroyed group needs nothing: zgate keeps no state per group
// (only the fingerprints of the check runs on its head, which the store
// prunes by age), and a group no longer listed is no longer judged.
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
		return ignore("merge group %s destroyed (%s): nothing kept to clean up", ev.MergeGroup.HeadSHA, ev.Reason)
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
