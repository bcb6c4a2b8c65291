package engine

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/decision"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// DecisionSigner signs and uploads the decision of a Z that ran;
// *decision.Signer implements it.
type DecisionSigner interface {
	Sign(ctx context.Context, gh *github.Client, res *facts.Result, g *policy.Gate, decidedAt time.Time, z bool) (decision.Signed, error)
}

// KindDecisionSigned is the audit record of a signed gate decision: the
// execution it is about and the bundle.
const KindDecisionSigned = "decision_signed"

// decisionSignedData is the audit data of KindDecisionSigned.
type decisionSignedData struct {
	Execution     string          `json:"execution,omitempty"` // none when the gate opened without a Z
	Kind          string          `json:"kind,omitempty"`
	MergeCommit   string          `json:"merge_commit,omitempty"`
	Bundle        json.RawMessage `json:"bundle"`
	AttestationID int64           `json:"attestation_id,omitempty"`
	UploadError   string          `json:"upload_error,omitempty"`
}

// signDecision signs the decision that let exec run, records the bundle
// with the execution's audit records and uploads it. The Z is done: a
// failure here is logged for an operator, never undoes or repeats it.
func (e *Engine) signDecision(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, g *policy.Gate, decidedAt time.Time, exec store.Execution) {
	if e.cfg.Decisions == nil {
		return
	}
	signed, err := e.cfg.Decisions.Sign(ctx, gh, res, g, decidedAt, exec.ID != "")
	if errors.Is(err, decision.ErrAlreadySigned) {
		return
	}
	if err != nil {
		log.Error("cannot sign the gate decision", "execution", exec.ID, "err", err)
		return
	}
	d := decisionSignedData{Execution: exec.ID, Kind: exec.Kind, MergeCommit: signed.Predicate.MergeCommitSHA,
		Bundle: signed.Bundle, AttestationID: signed.AttestationID}
	if signed.UploadErr != nil {
		d.UploadError = signed.UploadErr.Error()
		log.Error("cannot upload the signed gate decision", "execution", exec.ID, "err", signed.UploadErr)
	}
	entry := audit.Entry{Kind: KindDecisionSigned, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: g.Name, HeadSHA: res.HeadSHA, Data: d}
	if err := e.append(ctx, key, entry); err != nil {
		log.Error("cannot audit the signed gate decision", "execution", exec.ID, "err", err)
		return
	}
	log.Info("gate decision signed", "execution", exec.ID, "attestation_id", signed.AttestationID)
}

// signOpened signs the decision of a `sign: always` gate that opened
// without its Z running now (no action, or a merge waiting for other
// gates); a Z signs its own decision when it runs.
func (e *Engine) signOpened(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, gd policy.GateDecision, waits []policy.GateDecision, now time.Time) {
	if e.cfg.Decisions == nil || gd.State != policy.StateSuccess || res.Policy == nil {
		return
	}
	if gd.Action != policy.ActionNone && len(waits) == 0 {
		return // the Z runs and signs
	}
	for i := range res.Policy.Gates {
		if g := &res.Policy.Gates[i]; g.Name == gd.Name && g.Sign == policy.SignAlways {
			e.signDecision(ctx, log, gh, key, res, g, now, store.Execution{})
			return
		}
	}
}
