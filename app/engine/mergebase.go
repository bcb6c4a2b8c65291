package engine

import (
	"context"
	"log/slog"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// KindMergeBaseChanged is the audit kind of a merge by zgate that landed
// in another base branch than the one whose policy zgate evaluated: the
// pull request was retargeted between zgate's last read and its merge
// call, and the new base's branch protection did not stop it.
const KindMergeBaseChanged = "merge_base_changed"

// checkMergedBase reads the pull request again after zgate merged it and
// compares the base it was merged into with the base evaluated. GitHub's
// merge call guards the head SHA only, so a retarget in between is not
// refused by the call itself; branch protection of the new base requiring
// its per-base check ("zgate/<gate>: <base>") is what stops it. When
// nothing did, someone must look at what landed: it is logged at Error
// level and audited.
func (e *Engine) checkMergedBase(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, gd policy.GateDecision, x *store.Execution) error {
	if x.Kind != string(policy.ActionMerge) || x.Status != store.ExecDone {
		return nil
	}
	pr, _, err := gh.PullRequests.Get(ctx, key.Owner, key.Repo, key.Number)
	if err != nil {
		// The merge is done and audited; the check is best effort.
		log.Warn("cannot read the merged pull request to check its base", "err", err)
		return nil
	}
	into := pr.GetBase().GetRef()
	if !pr.GetMerged() || into == res.BaseRef {
		return nil
	}
	log.Error("zgate's merge landed in another base branch than the one evaluated: the pull request was retargeted before the merge call; protect the branch with its per-base check",
		"evaluated_base", res.BaseRef, "merged_into", into, "merge_commit", pr.GetMergeCommitSHA(), "execution", x.ID)
	return e.append(ctx, key, audit.Entry{
		Kind: KindMergeBaseChanged, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: gd.Name, HeadSHA: res.HeadSHA,
		Data: map[string]string{"execution": x.ID, "evaluated_base": res.BaseRef, "merged_into": into, "merge_commit": pr.GetMergeCommitSHA()},
	})
}
