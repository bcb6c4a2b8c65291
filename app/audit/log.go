package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// Kinds of audit records.
const (
	KindDecision        = "decision"         // a decision that changed a check
	KindExecution       = "execution"        // a Z and its result
	KindOverride        = "override"         // an override, with its reason
	KindWebhookRejected = "webhook_rejected" // a webhook refused (bad signature, ...)
	KindPolicyError     = "policy_error"     // a policy that failed to load or parse
)

// Entry is what a caller records; [Log.Append] adds the sequence number,
// time and hashes.
type Entry struct {
	Kind    string
	Repo    string // owner/name
	PR      int
	Gate    string
	HeadSHA string
	Data    any // marshalled to JSON
}

// Log appends to the audit log in a store.
type Log struct {
	s   *store.Store
	now func() time.Time
}

// New returns a Log writing to s, timing records with now.
func New(s *store.Store, now func() time.Time) *Log {
	return &Log{s: s, now: now}
}

// Append adds e as the next record of the chain and returns it. The time is
// now() in UTC to the microsecond, never earlier than the previous record's.
func (l *Log) Append(ctx context.Context, e Entry) (store.AuditRecord, error) {
	if e.Kind == "" {
		return store.AuditRecord{}, fmt.Errorf("audit append: empty kind")
	}
	data, err := json.Marshal(e.Data)
	if err != nil {
		return store.AuditRecord{}, fmt.Errorf("audit append %s: marshal data: %w", e.Kind, err)
	}
	at := l.now().UTC().Truncate(time.Microsecond)
	rec, err := l.s.AppendAudit(ctx, func(last *store.AuditRecord) (store.AuditRecord, error) {
		r := store.AuditRecord{
			Seq: 1, Time: at, Kind: e.Kind, Repo: e.Repo, PR: e.PR, Gate: e.Gate,
			HeadSHA: e.HeadSHA, Data: data, PrevHash: GenesisHash,
		}
		if last != nil {
			r.Seq, r.PrevHash = last.Seq+1, last.Hash
			if r.Time.Before(last.Time) {
				r.Time = last.Time // a clock step back must not reorder the log
			}
		}
		r.Hash = Hash(r)
		return r, nil
	})
	if err != nil {
		return store.AuditRecord{}, fmt.Errorf("audit append %s: %w", e.Kind, err)
	}
	return rec, nil
}
