package engine

import (
	"cmp"
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// The service level indicators of the Multi-controlled Z pattern
// (metrics.SLI), observed where the engine decides and acts. Labels are
// the repository and the gate, never a pull request or a person.

// PendingStore keeps the first pending evaluation of each (PR, head,
// gate), for the approval latency (*store.Store).
type PendingStore interface {
	GatePending(ctx context.Context, g store.GateHead, at time.Time) error
	GateQuorum(ctx context.Context, g store.GateHead, at time.Time) (pending time.Time, ok bool, err error)
}

// sliState remembers the gate heads recorded pending, so an evaluation of
// a pull request still waiting costs no store write.
type sliState struct {
	mu      sync.Mutex
	pending map[store.GateHead]bool
	// quorum are the gate heads whose quorum this process recorded or
	// found recorded, so an open gate re-evaluated costs no store write.
	quorum map[store.GateHead]bool
	// failures are the uncounted approvals already counted in
	// zgate_approval_failures_total, by gate head and note, so that one
	// review is one failure however often the pull request is evaluated.
	failures map[failureKey]bool
}

type failureKey struct {
	g    store.GateHead
	note string
}

// maxPendingSeen bounds sliState.pending; past it the set starts afresh
// (a head seen again then costs one idempotent write).
const maxPendingSeen = 50_000

func (s *sliState) seen(g store.GateHead) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return mark(&s.pending, g)
}

// quorumSeen is seen for the quorum of g.
func (s *sliState) quorumSeen(g store.GateHead) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return mark(&s.quorum, g)
}

// mark adds k to *set and reports whether it was there; a full set starts
// afresh.
func mark[K comparable](set *map[K]bool, k K) bool {
	if (*set)[k] {
		return true
	}
	if *set == nil || len(*set) >= maxPendingSeen {
		*set = map[K]bool{}
	}
	(*set)[k] = true
	return false
}

// newFailure reports whether the note on g was not counted yet.
func (s *sliState) newFailure(g store.GateHead, note string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !mark(&s.failures, failureKey{g, note})
}

// forget drops g, so that the next evaluation records it again.
func (s *sliState) forget(g store.GateHead) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pending, g)
	delete(s.quorum, g)
}

// observeGate records what one gate decision says about the SLIs: the
// first pending evaluation of the head, the latency to quorum (once per
// head), and, when the decision changed (published and audited), the
// approvals that did not count and the override that opened the gate.
// Failing to record is logged, never fails the evaluation.
func (e *Engine) observeGate(ctx context.Context, log *slog.Logger, key store.PRKey, res *facts.Result, gd policy.GateDecision, now time.Time, changed bool) {
	sli := e.cfg.Metrics.SLI
	if sli == nil {
		return
	}
	repo := key.Owner + "/" + key.Repo
	g := store.GateHead{Owner: key.Owner, Repo: key.Repo, Number: key.Number, HeadSHA: res.HeadSHA, Gate: gd.Name}
	switch {
	case e.cfg.Pending == nil:
	case gd.State == policy.StatePending || gd.State == policy.StateFailure:
		if !e.sli.seen(g) {
			if err := e.cfg.Pending.GatePending(ctx, g, now); err != nil {
				e.sli.forget(g)
				log.Warn("cannot record the first pending evaluation", "err", err)
			}
		}
	case gd.State == policy.StateSuccess && gd.Override == nil:
		if e.sli.quorumSeen(g) {
			break
		}
		first, ok, err := e.cfg.Pending.GateQuorum(ctx, g, now)
		if err != nil {
			e.sli.forget(g)
			log.Warn("cannot record the quorum", "err", err)
			break
		}
		if !ok {
			break
		}
		sli.ApprovalLatency.WithLabelValues(repo, gd.Name).Observe(max(0, now.Sub(first).Seconds()))
		for _, cr := range gd.Controls {
			if cr.Held && cr.At != nil {
				sli.ControlApproval.WithLabelValues(repo, gd.Name, string(cr.Kind)).Observe(max(0, cr.At.Sub(first).Seconds()))
			}
		}
	}
	if !changed {
		return
	}
	if gd.Override != nil && gd.State == policy.StateSuccess {
		sli.Overrides.WithLabelValues(repo, gd.Name).Inc()
	}
	if gd.State == policy.StateSuccess || gd.State == policy.StateSkipped {
		return
	}
	for _, f := range failures(gd) {
		if e.sli.newFailure(g, f.note) {
			sli.ApprovalFailures.WithLabelValues(repo, gd.Name, f.reason).Inc()
		}
	}
}

// failure is one approval, attestation or override not counted.
type failure struct{ note, reason string }

// failures classifies the approvals, attestations and overrides the
// decision did not count, one per note (see reasonOf).
func failures(gd policy.GateDecision) []failure {
	var out []failure
	for _, cr := range gd.Controls {
		// Every note of a control is a review or attestation of it.
		for _, n := range cr.Notes {
			out = append(out, failure{n, cmp.Or(reasonOf(n), ReasonOther)})
		}
	}
	// The gate's notes also say other things (unowned files, email owners).
	for _, n := range gd.Notes {
		if r := reasonOf(n); r != "" {
			out = append(out, failure{n, r})
		}
	}
	return out
}

// Approval failure reasons (the reason label of
// zgate_approval_failures_total).
const (
	ReasonSelf             = "self"
	ReasonPusher           = "pusher"
	ReasonStale            = "stale"
	ReasonNotMember        = "not_member"
	ReasonBot              = "bot"
	ReasonOutsideWindow    = "outside_window"
	ReasonFuture           = "future"
	ReasonChangesRequested = "changes_requested"
	ReasonDismissed        = "dismissed"
	ReasonBaseChanged      = "base_changed"
	ReasonBadAttestation   = "bad_attestation"
	ReasonWrongSigner      = "wrong_signer"
	ReasonOverride         = "override_refused"
	ReasonOther            = "other"
)

// reasonOf maps one of policy.Evaluate's "not counted" notes to a reason;
// "" for notes about something other than a consent (unowned files,
// email owners). The policy package words its explanations for people;
// TestApprovalFailureReasons drives real evaluations through each wording
// so a change there fails here.
func reasonOf(note string) string {
	has := func(s string) bool { return strings.Contains(note, s) }
	switch {
	case has("override does not count"):
		return ReasonOverride
	case has("failed verification"):
		return ReasonBadAttestation
	case has("(self-approval does not count)"):
		return ReasonSelf
	case has("(a pusher's approval does not count)"):
		return ReasonPusher
	case has("(bot approvals do not count)"):
		return ReasonBot
	case has("requested changes on"):
		return ReasonChangesRequested
	case has("was dismissed"):
		return ReasonDismissed
	case has("(stale after a push)"), has("did not count: for commit"):
		return ReasonStale
	case has("before the base branch changed"):
		return ReasonBaseChanged
	case has("window"):
		return ReasonOutsideWindow
	case has("in the future"):
		return ReasonFuture
	case has("is a member of none of the gate's teams"):
		return ReasonNotMember
	case has("attestation") && has("did not count"):
		return ReasonWrongSigner
	}
	return ""
}

// observeZ records a Z that ran in this evaluation: attempted, done or
// its error kind, and the control domains that held.
func (e *Engine) observeZ(key store.PRKey, g *policy.Gate, gd *policy.GateDecision, exec store.Execution, err error) {
	sli := e.cfg.Metrics.SLI
	if sli == nil {
		return
	}
	repo := key.Owner + "/" + key.Repo
	sli.ZAttempts.WithLabelValues(repo, g.Name).Inc()
	switch {
	case err != nil:
		sli.ZErrors.WithLabelValues(repo, g.Name, "error").Inc()
	case exec.Status == store.ExecDone || exec.Status == store.ExecConfirmed:
		sli.ZDone.WithLabelValues(repo, g.Name).Inc()
	case exec.Status == store.ExecUnknown:
		sli.ZErrors.WithLabelValues(repo, g.Name, "unknown").Inc()
	case exec.Status == store.ExecFailed:
		sli.ZErrors.WithLabelValues(repo, g.Name, "refused").Inc()
	}
	if gd != nil {
		sli.ControlDomains.WithLabelValues(repo, g.Name).Observe(float64(controlDomains(g, *gd)))
	}
}

// observeZError counts a Z that failed before any execution was recorded:
// the fresh read before it failed (regather), or recording its intent did
// (error).
func (e *Engine) observeZError(key store.PRKey, gate, kind string) {
	if sli := e.cfg.Metrics.SLI; sli != nil {
		sli.ZErrors.WithLabelValues(key.Owner+"/"+key.Repo, gate, kind).Inc()
	}
}

// controlDomains counts the distinct control domains that held: each team
// (or user) control is its own domain, attestation controls count once
// per OIDC issuer. Two attestations from the same CI issuer are one
// source of consent, not two. A decision control is a domain of its own:
// another repository's two-person rule.
func controlDomains(g *policy.Gate, gd policy.GateDecision) int {
	issuer := map[string]string{}
	for _, a := range g.Controls.Attestations {
		issuer[a.Name] = a.Issuer
	}
	domains := map[string]bool{}
	for _, cr := range gd.Controls {
		if !cr.Held {
			continue
		}
		switch cr.Kind {
		case policy.ControlAttestation:
			domains["issuer:"+issuer[cr.ID]] = true
		case policy.ControlDecision:
			domains["decision:"+strings.ToLower(cr.ID)] = true
		default:
			domains["team:"+strings.ToLower(cr.ID)] = true
		}
	}
	return len(domains)
}
