package audit

import (
	"context"
	"encoding/json"
	"errors"
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
	KindKey             = "audit_key"        // records from here on are keyed (see [Log.Start])
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
	// TraceID is the OpenTelemetry trace of the work that wrote the
	// record, "" when untraced. It goes into the data, as "trace_id", so
	// the hashed fields, and the verification of every record, stay the
	// same.
	TraceID string
}

// Log appends to the audit log in a store.
type Log struct {
	s   *store.Store
	now func() time.Time
	key *Key
}

// New returns a Log writing plain (unkeyed) records to s, timing them with
// now. Anyone who can write the database can rewrite such records and
// recompute their hashes; see [NewKeyed].
func New(s *store.Store, now func() time.Time) *Log {
	return &Log{s: s, now: now}
}

// NewKeyed returns a Log that authenticates every record with key (see
// [Key]); a nil key is [New].
func NewKeyed(s *store.Store, now func() time.Time, key *Key) *Log {
	return &Log{s: s, now: now, key: key}
}

// Append adds e as the next record of the chain and returns it. The time is
// now() in UTC to the microsecond, never earlier than the previous record's.
func (l *Log) Append(ctx context.Context, e Entry) (store.AuditRecord, error) {
	build, err := l.Builder(e)
	if err != nil {
		return store.AuditRecord{}, err
	}
	rec, err := l.s.AppendAudit(ctx, build)
	if err != nil {
		return store.AuditRecord{}, fmt.Errorf("audit append %s: %w", e.Kind, err)
	}
	return rec, nil
}

// Builder returns what appends e to the chain inside a store transaction
// that also writes other rows (see [store.Store.FinishExecutionAudited]):
// the record and the state it describes are committed together or not at
// all. The record is timed now.
func (l *Log) Builder(e Entry) (store.AuditBuilder, error) {
	if e.Kind == "" {
		return nil, fmt.Errorf("audit append: empty kind")
	}
	data, err := json.Marshal(e.Data)
	if err != nil {
		return nil, fmt.Errorf("audit append %s: marshal data: %w", e.Kind, err)
	}
	data = withTraceID(data, e.TraceID)
	at := l.now().UTC().Truncate(time.Microsecond)
	return func(last *store.AuditRecord) (store.AuditRecord, error) {
		r := store.AuditRecord{
			Seq: 1, Time: at, Kind: e.Kind, Repo: e.Repo, PR: e.PR, Gate: e.Gate,
			HeadSHA: e.HeadSHA, Data: data, PrevHash: GenesisHash,
		}
		if last != nil {
			if l.key == nil && last.KeyID != "" {
				return store.AuditRecord{}, fmt.Errorf("%w (record %d was written with key %s)", ErrKeyRequired, last.Seq, last.KeyID)
			}
			r.Seq, r.PrevHash = last.Seq+1, last.Hash
			if r.Time.Before(last.Time) {
				r.Time = last.Time // a clock step back must not reorder the log
			}
		}
		if l.key != nil {
			l.key.seal(&r)
		} else {
			r.Hash = Hash(r)
		}
		return r, nil
	}, nil
}

// keyRecord is the data of a [KindKey] record.
type keyRecord struct {
	KeyID         string `json:"key_id"`
	PreviousKeyID string `json:"previous_key_id,omitempty"`
	// PlainRecords is how many records before this one are plain: the
	// MAC of this record covers their last hash, so they are anchored
	// from here on.
	PlainRecords int64 `json:"plain_records,omitempty"`
}

// Start prepares l to extend the log, before any other append. Without a
// key it refuses a log whose last record is keyed ([ErrKeyRequired]).
// With a key, when the last record was not written with it (an empty or
// plain log, or another key), it appends a [KindKey] record saying so:
// from then on the log holds a keyed record, and one that is wholly plain
// again was rewritten. The record is returned; nil when none was written.
func (l *Log) Start(ctx context.Context) (*store.AuditRecord, error) {
	last, err := l.s.LastAudit(ctx)
	empty := errors.Is(err, store.ErrNotFound)
	if err != nil && !empty {
		return nil, fmt.Errorf("start audit log: %w", err)
	}
	if l.key == nil {
		if !empty && last.KeyID != "" {
			return nil, fmt.Errorf("start audit log: %w (record %d was written with key %s)", ErrKeyRequired, last.Seq, last.KeyID)
		}
		return nil, nil
	}
	if !empty && last.KeyID == l.key.id {
		return nil, nil
	}
	data := keyRecord{KeyID: l.key.id}
	if !empty {
		data.PreviousKeyID = last.KeyID
		if last.KeyID == "" {
			data.PlainRecords = last.Seq
		}
	}
	rec, err := l.Append(ctx, Entry{Kind: KindKey, Data: data})
	if err != nil {
		return nil, fmt.Errorf("start audit log: %w", err)
	}
	return &rec, nil
}

// withTraceID adds "trace_id" first in data when it is a JSON object and
// id is set; other data is returned unchanged.
func withTraceID(data []byte, id string) []byte {
	if id == "" || len(data) < 2 || data[0] != '{' {
		return data
	}
	field, err := json.Marshal(id)
	if err != nil {
		return data
	}
	out := make([]byte, 0, len(data)+len(field)+14)
	out = append(out, `{"trace_id":`...)
	out = append(out, field...)
	if rest := data[1:]; len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, data[1:]...)
}
