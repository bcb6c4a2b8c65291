package action

import (
	"context"
	"fmt"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/mergequeue"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/policy"
)

// MergeGroupTarget is the merge group a merge_group event names.
type MergeGroupTarget struct {
	Action  string
	HeadSHA string
	HeadRef string
}

// GroupResult is what a run did for a merge group.
type GroupResult struct {
	HeadSHA string
	// Statuses are the statuses written (or already current) on the
	// group's head.
	Statuses []Status
	Err      error
}

// mergeGroup judges the group the event names, like the App (see
// [mergequeue.Judge]), and writes the verdicts as commit statuses on its
// head under the names the base requires. A group the listing does not
// hold (destroyed since, or not built as zgate expects) fails closed.
func (r *runner) mergeGroup(ctx context.Context, t *MergeGroupTarget) GroupResult {
	out := GroupResult{HeadSHA: t.HeadSHA}
	groups, err := mergequeue.Groups(ctx, r.gh, r.owner, r.repo)
	if err != nil {
		out.Err = err
		return out
	}
	var g *mergequeue.Group
	for i := range groups {
		if groups[i].HeadSHA == t.HeadSHA {
			g = &groups[i]
		}
	}
	if g == nil {
		last, err := mergequeue.ParseRef(t.HeadRef)
		if err != nil {
			out.Err = fmt.Errorf("merge group %s: %w", t.HeadSHA, err)
			return out
		}
		g = &mergequeue.Group{HeadSHA: t.HeadSHA, Last: last,
			Err: fmt.Errorf("%w: no merge group branch points at %.7s (destroyed since?)", mergequeue.ErrUnknownGroup, t.HeadSHA)}
	}
	now := r.now()
	src := func(ctx context.Context, n int) (*facts.Result, policy.Decision, error) {
		res, err := r.gather.Gather(ctx, r.gh, r.owner, r.repo, n)
		if err != nil || res.Policy == nil {
			return res, policy.Decision{}, err
		}
		return res, facts.Evaluate(res, now), nil
	}
	verdicts, defBranch, err := mergequeue.Judge(ctx, *g, src)
	if err != nil {
		out.Err = err
		return out
	}
	cur, err := statuses(ctx, r.gh, r.owner, r.repo, t.HeadSHA)
	if err != nil {
		out.Err = err
		return out
	}
	for _, v := range verdicts {
		state := "failure"
		if v.OK {
			state = "success"
		}
		for _, name := range report.CheckNames(v.Gate, g.Last.Base, defBranch) {
			s := Status{Context: name, State: state, Description: report.OneLine(v.Title, report.MaxStatusDescription)}
			if _, err := r.publish(ctx, t.HeadSHA, cur, s); err != nil {
				out.Err = err
				return out
			}
			out.Statuses = append(out.Statuses, s)
		}
		r.log.Info("merge group judged", "merge_group", t.HeadSHA, "gate", v.Gate, "ok", v.OK, "title", v.Title)
	}
	return out
}
