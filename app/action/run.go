package action

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// Result is what one run did.
type Result struct {
	Target Target
	PRs    []PRResult
	// MergeGroup is set when the event was a merge group's checks_requested.
	MergeGroup *GroupResult
}

// PRResult is the outcome for one pull request.
type PRResult struct {
	Number  int
	HeadSHA string
	// Skipped says why nothing was reported (closed, not gated).
	Skipped string
	// PolicyError is set when the base branch's policy cannot be loaded.
	PolicyError error
	Gates       []GateResult
	// PolicyCheck is the `zgate/policy` status written when the pull
	// request changes the policy or CODEOWNERS; nil otherwise.
	PolicyCheck *Status
	// PolicyAnnotations are the policy check's problems, each on its
	// file and line (a status cannot carry them: `zgate action` prints
	// them as workflow commands).
	PolicyAnnotations []report.Annotation
	// Err is set when the pull request could not be evaluated or reported.
	Err error
}

// GateResult is one gate's reported status and Z.
type GateResult struct {
	Name   string
	State  policy.State
	Status Status
	// Written is false when the status was already current.
	Written bool
	// Z is the gate's execution on this head, when there is one.
	Z *store.Execution
	// ZFailed is set when Z ran in this run and failed or ended unknown.
	ZFailed bool
}

// Failed reports whether the run must fail the job: a policy could not be
// loaded, a pull request could not be evaluated, or Z failed.
func (r Result) Failed() bool {
	if r.MergeGroup != nil && r.MergeGroup.Err != nil {
		return true
	}
	for _, pr := range r.PRs {
		if pr.PolicyError != nil || pr.Err != nil {
			return true
		}
		for _, g := range pr.Gates {
			if g.ZFailed {
				return true
			}
		}
	}
	return false
}

// Err joins the errors of every pull request, nil when there are none.
func (r Result) Err() error {
	var errs []error
	if r.MergeGroup != nil && r.MergeGroup.Err != nil {
		errs = append(errs, fmt.Errorf("merge group %s: %w", r.MergeGroup.HeadSHA, r.MergeGroup.Err))
	}
	for _, pr := range r.PRs {
		if pr.Err != nil {
			errs = append(errs, fmt.Errorf("#%d: %w", pr.Number, pr.Err))
		}
	}
	return errors.Join(errs...)
}

// runner is one Run in progress.
type runner struct {
	cfg         Config
	gh          *github.Client
	owner, repo string
	gather      Gatherer
	log         *slog.Logger
	now         func() time.Time
	summary     *summaryWriter
	// self is whose marker statuses are trusted (Config.Identity).
	self *identity
}

// Run evaluates the pull requests the event names, reports a commit status
// per gate and runs Z where a gate opened (see the package documentation).
// An error wrapping [ErrConfig] means the configuration or the event is
// unusable; another error means the pull requests could not be listed.
// Per pull request problems are in the [Result] ([Result.Failed]).
func Run(ctx context.Context, cfg Config) (Result, error) {
	owner, repo, err := cfg.check()
	if err != nil {
		return Result{}, err
	}
	t, err := Targets(cfg.EventName, cfg.Event)
	if err != nil {
		return Result{}, err
	}
	r := &runner{cfg: cfg, gh: cfg.Client, owner: owner, repo: repo, gather: cfg.Gatherer, log: cfg.Logger, now: cfg.Now}
	if r.gather == nil {
		r.gather = &facts.Gatherer{Pushes: facts.SuitePushes{Event: EventPusher(cfg.EventName, cfg.Event)}}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	r.summary = newSummaryWriter(cfg.Summary, cfg.Repository)
	r.self = &identity{login: cfg.Identity, configured: cfg.Identity != "", log: r.log}
	res := Result{Target: t}
	r.log.Info("zgate action", "event", cfg.EventName, "targets", t.Why, "dry_run", cfg.DryRun)
	switch cfg.EventName {
	case "pull_request", "pull_request_review", "pull_request_review_comment":
		// The decision is still sound, but the workflow is the pull
		// request's own copy: the pull request could have replaced zgate.
		r.log.Warn("this event runs the pull request's own copy of the workflow, which the pull request can rewrite; run zgate on pull_request_target, workflow_run, issue_comment and schedule instead (docs/action.md)", "event", cfg.EventName)
	}
	if t.MergeGroup != nil {
		g := r.mergeGroup(ctx, t.MergeGroup)
		res.MergeGroup = &g
		if g.Err != nil {
			r.log.Error("merge group not judged", "merge_group", g.HeadSHA, "err", g.Err)
		}
		return res, nil
	}
	nums := t.Numbers
	if t.Open {
		if nums, err = r.gather.OpenPRs(ctx, r.gh, owner, repo, t.Base); err != nil {
			return res, fmt.Errorf("list the pull requests to evaluate: %w", err)
		}
	}
	for _, n := range nums {
		pr := r.evaluate(ctx, n)
		switch {
		case pr.Err != nil:
			r.log.Error("pull request not evaluated", "pr", n, "err", pr.Err)
			r.summary.failed(pr)
		case pr.Skipped != "":
			r.summary.skipped(pr)
		}
		res.PRs = append(res.PRs, pr)
	}
	if err := r.summary.err(); err != nil {
		r.log.Warn("cannot write the job summary", "err", err)
	}
	return res, nil
}
