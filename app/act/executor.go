package act

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// ExecStore records executions; *store.Store implements it.
type ExecStore interface {
	BeginExecution(ctx context.Context, e store.Execution) (stored store.Execution, created bool, err error)
	FinishExecution(ctx context.Context, id string, status store.ExecutionStatus, detail string, at time.Time) error
}

// AuditedStore writes an execution's state and its audit record in one
// transaction; *store.Store implements it.
type AuditedStore interface {
	BeginExecutionAudited(ctx context.Context, e store.Execution, build store.AuditBuilder) (stored store.Execution, created bool, err error)
	FinishExecutionAudited(ctx context.Context, id string, status store.ExecutionStatus, detail string, at time.Time, build store.AuditBuilder) error
}

// Recorder builds an audit record to append inside the store transaction
// that writes what it records; *audit.Log implements it.
type Recorder interface {
	Builder(e audit.Entry) (store.AuditBuilder, error)
}

// Executor runs Z once.
type Executor struct {
	Store ExecStore
	// Audit, when set, records the execution in the audit log in the same
	// transaction as its state (Store must then be an [AuditedStore]): the
	// intent, with the decision that opened the gate, and every outcome. A
	// process killed at any point leaves no Z without its record: either
	// the outcome and its record are stored, or the intent stays and the
	// next Run reconciles it with GitHub and records the outcome then.
	Audit Recorder
	// Logger receives one line per execution outcome; discarded when nil.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// ErrNoAction is returned by [Executor.Run] for a gate whose Z is none.
var ErrNoAction = errors.New("gate has no action")

// Run is [Executor.RunDecided] without a decision to record.
func (x *Executor) Run(ctx context.Context, gh *github.Client, key store.PRKey, gate *policy.Gate, headSHA string, pr policy.PullRequest) (store.Execution, error) {
	return x.RunDecided(ctx, gh, key, gate, headSHA, pr, nil)
}

// RunDecided performs gate's Z for the pull request key at headSHA, once
// (see the package documentation). pr supplies the template data of
// dispatches; decision, the audit data of the decision that opened the
// gate, goes into the execution's audit records. The returned execution
// carries the outcome; err is set only when the outcome could not be
// determined or recorded (the execution then stays as stored, to be
// reconciled by the next Run).
func (x *Executor) RunDecided(ctx context.Context, gh *github.Client, key store.PRKey, gate *policy.Gate, headSHA string, pr policy.PullRequest, decision any) (store.Execution, error) {
	kind := gate.Then.Kind()
	if kind == policy.ActionNone {
		return store.Execution{}, ErrNoAction
	}
	if headSHA == "" {
		return store.Execution{}, errors.New("run Z: empty head SHA")
	}
	audited, ok := x.Store.(AuditedStore)
	if x.Audit != nil && !ok {
		return store.Execution{}, errors.New("run Z: the executor audits but its store cannot write an audit record with an execution")
	}
	now := x.now()
	run := &execution{x: x, gh: gh, gate: gate, pr: pr, decision: decision}
	if x.Audit != nil {
		run.audited = audited
	}
	e, created, err := run.begin(ctx, store.Execution{
		Key: key, Gate: gate.Name, HeadSHA: headSHA, Kind: string(kind),
		Status: store.ExecIntent, Created: now, Updated: now,
	})
	if err != nil {
		return store.Execution{}, fmt.Errorf("record intent of %s for %s: %w", kind, gate.Name, err)
	}
	run.e = e
	run.log = x.logger().With("execution", e.ID, "repo", key.Owner+"/"+key.Repo, "pr", key.Number,
		"gate", gate.Name, "head_sha", headSHA, "kind", kind)
	if !created {
		switch e.Status {
		case store.ExecDone, store.ExecConfirmed, store.ExecUnknown:
			return e, nil
		case store.ExecIntent:
			if done, err := run.reconcile(ctx); done || err != nil {
				return run.e, err
			}
		case store.ExecFailed:
			// A failure is definite (GitHub refused, or the PR was read as
			// not merged): trying again cannot do Z twice. The same refusal
			// again is not audited twice.
			run.refused = e.Detail
			if err := run.finish(ctx, store.ExecIntent, "retrying after: "+e.Detail); err != nil {
				return run.e, err
			}
		}
	}
	switch kind {
	case policy.ActionMerge:
		err = run.merge(ctx)
	case policy.ActionDispatch:
		err = run.dispatch(ctx)
	case policy.ActionRepositoryDispatch:
		err = run.repositoryDispatch(ctx)
	}
	return run.e, err
}

// execution is one Run in progress.
type execution struct {
	x    *Executor
	gh   *github.Client
	e    store.Execution
	gate *policy.Gate
	pr   policy.PullRequest
	log  *slog.Logger
	// audited is set when the execution's records go into the audit log.
	audited  AuditedStore
	decision any
	// refused is the detail of the failure being retried: the same
	// refusal again is stored but not audited again.
	refused string
}

// Record is the data of an execution's audit record.
type Record struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Decision is the decision that opened the gate, as the engine
	// records it.
	Decision any `json:"decision,omitempty"`
}

// record builds the audit record of e in status with detail.
func (r *execution) record(e store.Execution, status store.ExecutionStatus, detail string) (store.AuditBuilder, error) {
	return r.x.Audit.Builder(audit.Entry{
		Kind: audit.KindExecution, Repo: e.Key.Owner + "/" + e.Key.Repo, PR: e.Key.Number, Gate: e.Gate, HeadSHA: e.HeadSHA,
		Data: Record{ID: e.ID, Kind: e.Kind, Status: string(status), Detail: detail, Decision: r.decision},
	})
}

// begin records the intent, with its audit record when audited.
func (r *execution) begin(ctx context.Context, e store.Execution) (store.Execution, bool, error) {
	if r.audited == nil {
		return r.x.Store.BeginExecution(ctx, e)
	}
	if e.ID == "" {
		id, err := newID()
		if err != nil {
			return store.Execution{}, false, err
		}
		e.ID = id
	}
	build, err := r.record(e, e.Status, "")
	if err != nil {
		return store.Execution{}, false, err
	}
	return r.audited.BeginExecutionAudited(ctx, e, build)
}

// finish records the outcome in the store and in e, with its audit record
// when audited: every status but the intent of a retry, and a refusal that
// repeats the one retried.
func (r *execution) finish(ctx context.Context, status store.ExecutionStatus, detail string) error {
	at := r.x.now()
	var err error
	if r.audited != nil && status != store.ExecIntent && (status != store.ExecFailed || detail != r.refused) {
		var build store.AuditBuilder
		if build, err = r.record(r.e, status, detail); err == nil {
			err = r.audited.FinishExecutionAudited(ctx, r.e.ID, status, detail, at, build)
		}
	} else {
		err = r.x.Store.FinishExecution(ctx, r.e.ID, status, detail, at)
	}
	if err != nil {
		return fmt.Errorf("record %s outcome %s of execution %s: %w", r.e.Kind, status, r.e.ID, err)
	}
	r.e.Status, r.e.Detail, r.e.Updated = status, detail, at
	level := slog.LevelInfo
	if status == store.ExecUnknown {
		level = slog.LevelError // a person must confirm it
	}
	r.log.Log(ctx, level, "Z execution "+string(status), "detail", detail)
	return nil
}

// newID returns 128 random bits in hex: the id of an execution, known
// before its intent is stored so that its audit record can name it.
func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("execution id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func (x *Executor) now() time.Time {
	if x.Now == nil {
		return time.Now()
	}
	return x.Now()
}

func (x *Executor) logger() *slog.Logger {
	if x.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return x.Logger
}

// definite reports whether GitHub answered err with a 4xx: it refused the
// call, so nothing happened.
func definite(resp *github.Response) bool {
	return resp != nil && resp.StatusCode >= 400 && resp.StatusCode < 500
}

// message is GitHub's error message, or the error text.
func message(err error) string {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Message != "" {
		return er.Message
	}
	return err.Error()
}
