package engine

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/mergequeue"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// MergeQueueNumber is the pull request number of a merge-queue key: a job
// that means "judge every merge group of this repository". It is the
// number below [RepoNumber], which GitHub never reaches either.
const MergeQueueNumber = math.MaxInt32 - 1

// MergeQueueKey is the merge-queue key of owner/repo.
func MergeQueueKey(installation int64, owner, repo string) store.PRKey {
	return store.PRKey{Installation: installation, Owner: owner, Repo: repo, Number: MergeQueueNumber}
}

// IsMergeQueueKey reports whether k names a repository's merge groups.
func IsMergeQueueKey(k store.PRKey) bool { return k.Number == MergeQueueNumber }

// judgeQueue judges every merge group of key's repository and reports
// each verdict as check runs on the group's head (see
// [mergequeue.Judge]). Each pull request is gathered afresh and decided
// once per job, as before a Z: the group's checks are what lets the
// queue merge it.
func (e *Engine) judgeQueue(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey) error {
	groups, err := mergequeue.Groups(ctx, gh, key.Owner, key.Repo)
	if err != nil || len(groups) == 0 {
		return err
	}
	now := e.now()
	type decided struct {
		res *facts.Result
		dec policy.Decision
		err error
	}
	seen := map[int]decided{}
	src := func(ctx context.Context, n int) (*facts.Result, policy.Decision, error) {
		if d, ok := seen[n]; ok {
			return d.res, d.dec, d.err
		}
		k := key
		k.Number = n
		var d decided
		d.res, d.err = e.gather(facts.Fresh(ctx), gh, k)
		if d.err == nil && d.res.Policy != nil {
			d.dec = e.decide(ctx, d.res, now)
		}
		seen[n] = d
		return d.res, d.dec, d.err
	}
	for _, g := range groups {
		glog := log.With("merge_group", g.HeadSHA, "base", g.Last.Base, "last_pr", g.Last.PR)
		if g.Err != nil {
			glog.Warn("merge group fails closed", "err", g.Err)
		}
		verdicts, defBranch, err := mergequeue.Judge(ctx, g, src)
		if err != nil {
			return err
		}
		for _, v := range verdicts {
			c := report.Content{Status: report.StatusCompleted, Conclusion: report.ConclusionFailure, Title: v.Title, Summary: v.Summary, At: now}
			if v.OK {
				c.Conclusion = report.ConclusionSuccess
			}
			for _, name := range report.CheckNames(v.Gate, g.Last.Base, defBranch) {
				if _, err := e.publish(ctx, gh, key, g.HeadSHA, c.WithName(name)); err != nil {
					return err
				}
			}
			glog.Info("merge group judged", "gate", v.Gate, "ok", v.OK, "title", v.Title)
		}
	}
	return nil
}

// rejudgeQueue schedules the repository's merge groups to be judged again
// when zgate put this pull request into a merge queue at this head: a
// review or window change while it waits there may fail its group. (The
// groups of pull requests queued by people are judged when GitHub asks.)
func (e *Engine) rejudgeQueue(ctx context.Context, key store.PRKey, dec policy.Decision, head string, now time.Time) error {
	for _, gd := range dec.Gates {
		x := e.lastExecution(key, gd.Name, head)
		if x != nil && x.Kind == string(policy.ActionMerge) && x.Status == store.ExecDone && strings.Contains(x.Detail, "merge queue") {
			return e.enqueue(ctx, MergeQueueKey(key.Installation, key.Owner, key.Repo), now)
		}
	}
	return nil
}
