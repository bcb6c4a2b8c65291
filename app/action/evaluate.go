package action

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"github.com/zgate-dev/zgate/app/act"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// evaluate runs the whole path for one pull request, in the App's order:
// gather -> evaluate -> report -> re-gather and re-check -> act.
func (r *runner) evaluate(ctx context.Context, n int) PRResult {
	out := PRResult{Number: n}
	log := r.log.With("pr", n)
	res, err := r.gather.Gather(ctx, r.gh, r.owner, r.repo, n)
	if err != nil {
		out.Err = fmt.Errorf("gather: %w", err)
		return out
	}
	out.HeadSHA = res.HeadSHA
	log = log.With("head", res.HeadSHA, "base", res.BaseRef)
	if res.PR.GetState() != "open" {
		out.Skipped = "pull request is " + res.PR.GetState()
		log.Info("not open: nothing to evaluate", "state", res.PR.GetState(), "merged", res.PR.GetMerged())
		return out
	}
	if out.PolicyCheck, out.PolicyAnnotations, err = r.policyCheck(ctx, log, res); err != nil {
		out.Err = fmt.Errorf("policy check: %w", err)
		return out
	}
	if res.Policy == nil {
		if errors.Is(res.PolicyErr, facts.ErrNoPolicy) {
			out.Skipped = "no zgate policy on the base branch " + res.BaseRef
			log.Info("not gated: no policy on the base branch")
			return out
		}
		out.PolicyError = res.PolicyErr
		out.Gates, out.Err = r.policyError(ctx, log, res, out.PolicyCheck != nil)
		return out
	}
	cur, err := statuses(ctx, r.gh, r.owner, r.repo, res.HeadSHA)
	if err != nil {
		out.Err = err
		return out
	}
	now := r.now()
	dec := facts.Evaluate(res, now)
	r.summary.pr(res)
	for _, gd := range dec.Gates {
		// A merge needs every applicable gate of the pull request; a
		// dispatch is per gate.
		gr, err := r.gate(ctx, log.With("gate", gd.Name), res, cur, gd, policy.MergeWaitsFor(dec, gd.Name))
		out.Gates = append(out.Gates, gr)
		if err != nil {
			out.Err = err
			return out
		}
	}
	return out
}

// gate reports one gate and, when it opened, runs its Z. waits are the
// other applicable gates a merge by this gate waits for.
func (r *runner) gate(ctx context.Context, log *slog.Logger, res *facts.Result, cur map[string]Status, gd policy.GateDecision, waits []policy.GateDecision) (GateResult, error) {
	now := r.now()
	gr := GateResult{Name: gd.Name, State: gd.State}
	opens := gd.State == policy.StateSuccess && gd.Action != policy.ActionNone && len(waits) == 0
	if opens && gd.Action != policy.ActionMerge {
		rec, err := readRecord(ctx, r.gh, r.owner, r.repo, res.HeadSHA, gd.Name, res.BaseRef, r.self.get())
		if err != nil {
			return gr, err
		}
		if rec != nil && rec.id != "" {
			gr.Z = &store.Execution{ID: rec.id, Gate: gd.Name, HeadSHA: res.HeadSHA, Kind: string(gd.Action), Status: rec.status, Detail: rec.detail, Created: rec.at, Updated: rec.at}
		}
	}
	c := report.CheckRun(res, gd, report.Options{Now: now, Execution: gr.Z, WaitsFor: waits})
	// Report before acting: the gate's own status may be required by
	// branch protection, so the merge needs it green first. It goes under
	// the per-base name, and the legacy one for the default branch (the
	// App's names: report.Names); gr.Status is the per-base one.
	for i, name := range report.Names(res, gd.Name) {
		st := statusOf(gd, c.Title)
		st.Context = name
		written, err := r.publish(ctx, res.HeadSHA, cur, st)
		if i == 0 {
			gr.Status = st
		}
		gr.Written = gr.Written || written
		if err != nil {
			return gr, err
		}
	}
	if gr.Written {
		log.Info("gate decided", "state", gd.State, "summary", gd.Summary)
	}
	if opens && !r.cfg.DryRun && (gr.Z == nil || gr.Z.Status == store.ExecIntent || gr.Z.Status == store.ExecFailed) {
		x, err := r.act(ctx, log, res, gd.Name)
		if x != nil {
			gr.Z = x
			gr.ZFailed = x.Status == store.ExecFailed || x.Status == store.ExecUnknown
			c = report.CheckRun(res, gd, report.Options{Now: now, Execution: x})
		}
		if err != nil {
			gr.ZFailed = true
			r.summary.gate(c, err)
			return gr, fmt.Errorf("run Z of gate %s: %w", gd.Name, err)
		}
	} else if gr.Z != nil && gr.Z.Status == store.ExecUnknown {
		log.Warn("the outcome of an earlier dispatch is unknown: a person must check and confirm it", "execution", gr.Z.ID)
	}
	r.summary.gate(c, nil)
	return gr, nil
}

// publish writes s on sha unless the current status already says it.
func (r *runner) publish(ctx context.Context, sha string, cur map[string]Status, s Status) (bool, error) {
	if old, ok := cur[s.Context]; ok && old.State == s.State && old.Description == s.Description {
		return false, nil
	}
	if err := writeStatus(ctx, r.gh, r.owner, r.repo, sha, r.cfg.RunURL, s); err != nil {
		return false, err
	}
	cur[s.Context] = s
	return true, nil
}

// act runs the Z of an open gate. Immediately before, it re-reads the pull
// request and re-evaluates: Z runs only if the gate still holds on the
// same head SHA. It returns nil when the gate no longer holds (the next
// event or scheduled run reports the fresh state).
func (r *runner) act(ctx context.Context, log *slog.Logger, first *facts.Result, gate string) (*store.Execution, error) {
	res, err := r.gather.Gather(ctx, r.gh, r.owner, r.repo, first.Facts.PullRequest.Number)
	if err != nil {
		return nil, fmt.Errorf("re-gather before Z: %w", err)
	}
	g, why := facts.Recheck(first, res, gate, r.now())
	if g == nil {
		log.Info(why+": not acting", "fresh_head", res.HeadSHA, "state", res.PR.GetState(), "merged", res.PR.GetMerged())
		return nil, nil
	}
	key := store.PRKey{Owner: r.owner, Repo: r.repo, Number: res.Facts.PullRequest.Number}
	x := &act.Executor{Store: newMarkerStore(r, res.BaseRef), Logger: log, Now: r.now}
	exec, err := x.Run(ctx, r.gh, key, g, res.HeadSHA, res.Facts.PullRequest)
	if errors.Is(err, errClaimed) {
		// Another run holds the dispatch: it sends it, this one must not.
		log.Info("another run holds this dispatch: not sending it", "detail", err)
		now := r.now()
		return &store.Execution{ID: ClaimRef(res.HeadSHA, gate, res.BaseRef), Gate: gate, HeadSHA: res.HeadSHA, Kind: string(g.Then.Kind()), Status: store.ExecIntent,
			Detail: err.Error() + "; if no zgate run is under way, a run stopped after claiming: check whether the workflow ran, then delete " +
				ClaimRef(res.HeadSHA, gate, res.BaseRef) + " to let zgate dispatch", Created: now, Updated: now}, nil
	}
	if exec.ID == "" {
		return nil, err
	}
	log.Info("Z", "kind", g.Then.Kind(), "execution", exec.ID, "status", exec.Status, "detail", exec.Detail, "err", err)
	if err == nil {
		err = r.checkMergedBase(ctx, log, res, exec)
	}
	return &exec, err
}

// checkMergedBase reads the pull request again after zgate merged it: the
// merge call guards only the head SHA, so a retarget after the last read
// lands the merge in another base unless that base's branch protection
// requires its per-base status. When it happened, the error (logged at
// Error level and failing the job) says so: someone must look at what
// landed.
func (r *runner) checkMergedBase(ctx context.Context, log *slog.Logger, res *facts.Result, x store.Execution) error {
	if x.Kind != string(policy.ActionMerge) || x.Status != store.ExecDone {
		return nil
	}
	pr, _, err := r.gh.PullRequests.Get(ctx, r.owner, r.repo, res.Facts.PullRequest.Number)
	if err != nil {
		log.Warn("cannot read the merged pull request to check its base", "err", err)
		return nil
	}
	if into := pr.GetBase().GetRef(); pr.GetMerged() && into != res.BaseRef {
		log.Error("zgate's merge landed in another base branch than the one evaluated: the pull request was retargeted before the merge call; protect the branch with its per-base status",
			"evaluated_base", res.BaseRef, "merged_into", into, "merge_commit", pr.GetMergeCommitSHA())
		return fmt.Errorf("merged into %s, not %s whose policy was evaluated: the pull request was retargeted before the merge call", into, res.BaseRef)
	}
	return nil
}

// policyError fails the "zgate: <base>" status (and "zgate" for the
// default branch) and every gate status of this base already on the head:
// the policy of the base branch cannot be loaded.
// The policy check's own statuses (policyChecked) are not gates: they
// stay as it wrote them.
func (r *runner) policyError(ctx context.Context, log *slog.Logger, res *facts.Result, policyChecked bool) ([]GateResult, error) {
	cur, err := statuses(ctx, r.gh, r.owner, r.repo, res.HeadSHA)
	if err != nil {
		return nil, err
	}
	c := report.PolicyError(res.PolicyFile, res.PolicyErr)
	names := report.Names(res, "")
	own := len(names)
	def := report.DefaultBranch(res)
	for name := range cur {
		// Only this base's gates: the same head may be the head of a
		// pull request into another base, with a policy that loads.
		if policyChecked && slices.Contains(report.Names(res, report.PolicyGate), name) {
			continue
		}
		if base, ok := report.CheckBase(name, def); ok && base == res.BaseRef && strings.HasPrefix(name, policy.CheckPrefix) && !isMarker(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names[own:])
	log.Warn("policy cannot be loaded: every gate fails", "file", res.PolicyFile, "err", res.PolicyErr)
	r.summary.pr(res)
	r.summary.gate(c, nil)
	var out []GateResult
	for _, name := range names {
		s := Status{Context: name, State: StateError, Description: report.OneLine(c.Title, MaxDescription)}
		written, err := r.publish(ctx, res.HeadSHA, cur, s)
		out = append(out, GateResult{Name: name, State: policy.StateError, Status: s, Written: written})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
