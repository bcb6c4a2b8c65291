package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/policy"
)

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
	if entry.TraceID == "" {
		entry.TraceID = tracing.TraceID(ctx)
	}
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
