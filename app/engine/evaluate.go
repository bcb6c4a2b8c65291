package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// evaluate runs the whole path for one pull request.
func (e *Engine) evaluate(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey) (time.Time, error) {
	res, err := e.cfg.Gatherer.Gather(ctx, gh, key.Owner, key.Repo, key.Number)
	if err != nil {
		return time.Time{}, fmt.Errorf("gather %s: %w", key, err)
	}
	log = log.With("head", res.HeadSHA, "base", res.BaseRef)
	if res.PR.GetState() != "open" {
		log.Debug("pull request not open, nothing to evaluate", "state", res.PR.GetState(), "merged", res.PR.GetMerged())
		e.forget(key)
		return time.Time{}, e.settleClosed(ctx, log, key, res)
	}
	if res.Policy == nil {
		if errors.Is(res.PolicyErr, facts.ErrNoPolicy) {
			log.Debug("no policy on the base branch: not gated")
			return time.Time{}, nil
		}
		return time.Time{}, e.policyError(ctx, log, gh, key, res)
	}
	e.remember(key, res)

	now := e.now()
	dec := facts.Evaluate(res, now)
	want := map[string]string{}
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
			exec = e.lastExecution(key, gd.Name, res.HeadSHA)
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

// settleClosed settles merge executions of a closed pull request that a
// crash left in intent: merged at the head the intent was for means the
// merge went through (done); closed unmerged, or merged at another head,
// means zgate's merge did not happen (failed). A dispatch intent is left to
// the executor's reconciliation and people.
func (e *Engine) settleClosed(ctx context.Context, log *slog.Logger, key store.PRKey, res *facts.Result) error {
	xs, err := e.cfg.Store.Executions(ctx, store.ExecIntent)
	if err != nil {
		return fmt.Errorf("settle executions of %s: %w", key, err)
	}
	for _, x := range xs {
		if x.Key.Owner != key.Owner || x.Key.Repo != key.Repo || x.Key.Number != key.Number || x.Kind != string(policy.ActionMerge) {
			continue
		}
		status, detail := store.ExecFailed, "reconciled: the pull request was closed without merging"
		switch {
		case res.PR.GetMerged() && res.HeadSHA == x.HeadSHA:
			status, detail = store.ExecDone, fmt.Sprintf("reconciled: merged as %s by %s", res.PR.GetMergeCommitSHA(), res.PR.GetMergedBy().GetLogin())
		case res.PR.GetMerged():
			detail = fmt.Sprintf("reconciled: merged at %s by %s, not at the head zgate approved", res.HeadSHA, res.PR.GetMergedBy().GetLogin())
		}
		build, err := e.cfg.Audit.Builder(audit.Entry{
			Kind: audit.KindExecution, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: x.Gate, HeadSHA: x.HeadSHA,
			Data: executionRecordData{ID: x.ID, Kind: x.Kind, Status: string(status), Detail: detail},
		})
		if err != nil {
			return fmt.Errorf("settle execution %s: %w", x.ID, err)
		}
		if err := e.cfg.Store.FinishExecutionAudited(ctx, x.ID, status, detail, e.now(), build); err != nil {
			return fmt.Errorf("settle execution %s: %w", x.ID, err)
		}
		log.Info("execution left in intent settled", "gate", x.Gate, "status", status, "detail", detail)
		e.cfg.Metrics.Executions.WithLabelValues(x.Kind, string(status)).Inc()
	}
	return nil
}

// report publishes one gate's check run, under each of its names for this
// base (report.Names), and, when it changed, audits the decision (and the
// override that opened it, if any). waits are the gates a merge by this
// gate waits for.
func (e *Engine) report(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, gd policy.GateDecision, exec *store.Execution, waits []policy.GateDecision, now time.Time, auditIt bool) error {
	c := report.CheckRun(res, gd, report.Options{Now: now, Execution: exec, DetailsURL: e.detailsURL(key), WaitsFor: waits})
	changed := false
	for _, name := range report.Names(res, gd.Name) {
		ch, err := e.publish(ctx, gh, key, res.HeadSHA, c.WithName(name))
		if err != nil {
			return err
		}
		changed = changed || ch
	}
	if !changed || !auditIt {
		return nil
	}
	e.cfg.Metrics.Evaluations.WithLabelValues(string(gd.State)).Inc()
	log.Info("gate decided", "state", gd.State, "summary", gd.Summary)
	entry := audit.Entry{Kind: audit.KindDecision, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: gd.Name, HeadSHA: res.HeadSHA, Data: decisionRecord(gd, c)}
	if err := e.append(ctx, key, entry); err != nil {
		return err
	}
	if gd.Override != nil && gd.State == policy.StateSuccess {
		entry.Kind, entry.Data = audit.KindOverride, gd.Override
		if err := e.append(ctx, key, entry); err != nil {
			return err
		}
	}
	return nil
}

// publish writes c on the head commit unless it is already there;
// changed tells whether it was written.
func (e *Engine) publish(ctx context.Context, gh *github.Client, key store.PRKey, sha string, c report.Content) (changed bool, err error) {
	_, changed, err = e.publisher(ctx).Publish(ctx, gh, key.Owner, key.Repo, sha, c)
	if err != nil {
		return changed, fmt.Errorf("publish %s on %s: %w", c.Name, key, err)
	}
	return changed, nil
}

// decisionRecord is the audit data of a decision.
type decisionRecordData struct {
	State      policy.State           `json:"state"`
	Check      string                 `json:"check"`
	Conclusion string                 `json:"conclusion,omitempty"`
	Summary    string                 `json:"summary"`
	Held       []string               `json:"held,omitempty"`
	Missing    []string               `json:"missing,omitempty"`
	ExpiresAt  *time.Time             `json:"expires_at,omitempty"`
	Override   *policy.OverrideResult `json:"override,omitempty"`
}

func decisionRecord(gd policy.GateDecision, c report.Content) decisionRecordData {
	d := decisionRecordData{State: gd.State, Check: c.Name, Conclusion: c.Conclusion, Summary: gd.Summary, Missing: gd.Missing, ExpiresAt: gd.ExpiresAt, Override: gd.Override}
	for _, cr := range gd.Controls {
		if cr.Held {
			d.Held = append(d.Held, cr.ID+" by "+cr.By)
		}
	}
	return d
}

func (e *Engine) append(ctx context.Context, key store.PRKey, entry audit.Entry) error {
	if ok, err := e.stageAudit(ctx, entry); ok {
		return err
	}
	if _, err := e.cfg.Audit.Append(ctx, entry); err != nil {
		// What happened on GitHub must reach the log even though this
		// evaluation fails: the retry of this pull request writes it first.
		e.mu.Lock()
		e.unaudited[key] = append(e.unaudited[key], entry)
		e.mu.Unlock()
		return fmt.Errorf("audit %s: %w", entry.Kind, err)
	}
	return nil
}

// flushAudit appends the records a failed evaluation of key could not.
func (e *Engine) flushAudit(ctx context.Context, key store.PRKey) error {
	e.mu.Lock()
	pending := e.unaudited[key]
	delete(e.unaudited, key)
	e.mu.Unlock()
	for i, entry := range pending {
		if _, err := e.cfg.Audit.Append(ctx, entry); err != nil {
			e.mu.Lock()
			e.unaudited[key] = append(pending[i:], e.unaudited[key]...)
			e.mu.Unlock()
			return fmt.Errorf("audit %s of an earlier evaluation: %w", entry.Kind, err)
		}
	}
	return nil
}

func (e *Engine) detailsURL(key store.PRKey) string {
	if e.cfg.DetailsURL == nil {
		return ""
	}
	return e.cfg.DetailsURL(key)
}

// forget drops what the engine cached about a closed pull request.
func (e *Engine) forget(key store.PRKey) {
	prefix := doneKey(key, "", "")
	prefix = prefix[:strings.LastIndex(prefix, "/")+1]
	e.mu.Lock()
	defer e.mu.Unlock()
	for k := range e.execs {
		if strings.HasPrefix(k, prefix) {
			delete(e.execs, k)
		}
	}
}

// remember keeps the policy that loaded for the repository and base.
func (e *Engine) remember(key store.PRKey, res *facts.Result) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastGood[key.Owner+"/"+key.Repo+"@"+res.BaseRef] = res.Policy
}

// policyError fails every known gate (or the single "zgate" check) of a
// pull request whose base branch has an unloadable policy, with
// FILE:LINE:COL, and audits it when the check changed.
func (e *Engine) policyError(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result) error {
	e.mu.Lock()
	last := e.lastGood[key.Owner+"/"+key.Repo+"@"+res.BaseRef]
	e.mu.Unlock()
	base := report.PolicyError(res.PolicyFile, res.PolicyErr)
	names := report.Names(res, "")
	if last != nil && len(last.Gates) > 0 {
		names = names[:0]
		for i := range last.Gates {
			names = append(names, report.Names(res, last.Gates[i].Name)...)
		}
	}
	want := map[string]string{}
	for _, name := range names {
		want[name] = "failure"
	}
	if err := e.guardStatuses(ctx, log, gh, key, res, want); err != nil {
		return err
	}
	anyChanged := false
	for _, name := range names {
		c := base.WithName(name)
		c.At = e.now()
		changed, err := e.publish(ctx, gh, key, res.HeadSHA, c)
		if err != nil {
			return err
		}
		anyChanged = anyChanged || changed
	}
	if !anyChanged {
		return nil
	}
	log.Warn("policy cannot be loaded: every gate fails", "file", res.PolicyFile, "err", res.PolicyErr)
	e.cfg.Metrics.Evaluations.WithLabelValues(string(policy.StateError)).Inc()
	return e.append(ctx, key, audit.Entry{
		Kind: audit.KindPolicyError, Repo: key.Owner + "/" + key.Repo, PR: key.Number, HeadSHA: res.HeadSHA,
		Data: map[string]any{"file": res.PolicyFile, "error": res.PolicyErr.Error(), "checks": names},
	})
}
