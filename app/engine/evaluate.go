package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/google/go-github/v62/github"
	"go.opentelemetry.io/otel/trace"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/policy"
)

// evaluate runs the whole path for one pull request.
func (e *Engine) evaluate(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey) (time.Time, error) {
	res, err := e.gatherForReport(ctx, log, gh, key)
	if err != nil {
		return time.Time{}, fmt.Errorf("gather %s: %w", key, err)
	}
	trace.SpanFromContext(ctx).SetAttributes(tracing.AttrHeadSHA.String(res.HeadSHA))
	log = log.With("head", res.HeadSHA, "base", res.BaseRef)
	if res.PR.GetState() != "open" {
		log.Debug("pull request not open, nothing to evaluate", "state", res.PR.GetState(), "merged", res.PR.GetMerged())
		e.forget(key)
		if err := e.settleClosed(ctx, log, key, res); err != nil {
			return time.Time{}, err
		}
		e.answerCommands(ctx, log, gh, key, res, nil, "The pull request is closed: zgate no longer evaluates it.")
		return time.Time{}, nil
	}
	// The check on a change of the rules comes first: it reads only the
	// rule files, and says what the pull request changes also when the
	// base has no usable policy.
	policyWant, err := e.policyCheck(ctx, log, gh, key, res)
	if err != nil {
		return time.Time{}, err
	}
	if res.Policy == nil {
		if errors.Is(res.PolicyErr, facts.ErrNoPolicy) {
			log.Debug("no policy on the base branch: not gated")
			e.answerCommands(ctx, log, gh, key, res, nil, "The base branch has no zgate policy, so this pull request is not gated.")
			return time.Time{}, nil
		}
		if err := e.policyError(ctx, log, gh, key, res, policyWant); err != nil {
			return time.Time{}, err
		}
		e.answerCommands(ctx, log, gh, key, res, nil, "The policy on the base branch cannot be loaded; every gate fails until it is fixed. The check runs list each problem.")
		return time.Time{}, nil
	}
	e.remember(key, res)

	now := e.now()
	dec := e.decide(ctx, res, now)
	want := maps.Clone(policyWant)
	if want == nil {
		want = map[string]string{}
	}
	for _, gd := range dec.Gates {
		for _, name := range report.Names(res, gd.Name) {
			want[name] = statusState(gd.State)
		}
	}
	if err := e.guardStatuses(ctx, log, gh, key, res, want); err != nil {
		return time.Time{}, err
	}
	var next time.Time
	for i := range dec.Gates {
		gd := dec.Gates[i]
		glog := log.With("gate", gd.Name)
		// A merge needs every applicable gate of the pull request; a
		// dispatch is per gate.
		waits := policy.MergeWaitsFor(dec, gd.Name)
		opens := gd.State == policy.StateSuccess && gd.Action != policy.ActionNone && len(waits) == 0
		var exec *store.Execution
		if opens {
			exec = e.freshUnknown(ctx, glog, key, e.lastExecution(key, gd.Name, res.HeadSHA))
		}
		// Report before acting: the gate's own check may be required by
		// branch protection, so the merge needs it green first.
		if err := e.report(ctx, glog, gh, key, res, gd, exec, waits, now, true); err != nil {
			return time.Time{}, err
		}
		if opens && !final(exec) {
			x, err := e.act(ctx, glog, gh, key, res, gd.Name)
			if err != nil {
				return time.Time{}, err
			}
			if x == nil {
				// The gate no longer holds on a fresh read: run again now
				// so the check reflects the fresh state.
				return now, nil
			}
			if err := e.checkMergedBase(ctx, glog, gh, key, res, gd, x); err != nil {
				return time.Time{}, err
			}
			// Say what Z did; the execution itself is audited by act.
			if err := e.report(ctx, glog, gh, key, res, gd, x, nil, now, false); err != nil {
				return time.Time{}, err
			}
			if x.Status == store.ExecFailed {
				// GitHub refused (not mergeable yet, a required check
				// pending): try again soon even if no event comes.
				next = earliest(next, now.Add(RetryFailedAfter))
			}
		}
		if gd.ExpiresAt != nil {
			// Just past the instant, so the control is out of the window then.
			next = earliest(next, gd.ExpiresAt.Add(time.Second))
		}
	}
	if err := e.rejudgeQueue(ctx, key, dec, res.HeadSHA, now); err != nil {
		return time.Time{}, err
	}
	// After the checks are out, and never deciding anything.
	e.askReviewers(ctx, log, gh, key, res, dec)
	e.answerCommands(ctx, log, gh, key, res, &dec, "")
	return next, nil
}

// RetryFailedAfter is how soon a Z that GitHub refused is tried again.
const RetryFailedAfter = time.Minute

// earliest returns the earlier of a and b, a zero time meaning "never".
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}
