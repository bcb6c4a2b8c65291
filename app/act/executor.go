package act

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// ExecStore records executions; *store.Store implements it.
type ExecStore interface {
	BeginExecution(ctx context.Context, e store.Execution) (stored store.Execution, created bool, err error)
	FinishExecution(ctx context.Context, id string, status store.ExecutionStatus, detail string, at time.Time) error
}

// Executor runs Z once.
type Executor struct {
	Store ExecStore
	// Logger receives one line per execution outcome; discarded when nil.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// ErrNoAction is returned by [Executor.Run] for a gate whose Z is none.
var ErrNoAction = errors.New("gate has no action")

// Run performs gate's Z for the pull request key at headSHA, once (see the
// package documentation). pr supplies the template data of dispatches. The
// returned execution carries the outcome; err is set only when the outcome
// could not be determined or recorded (the execution then stays as stored,
// to be reconciled by the next Run).
func (x *Executor) Run(ctx context.Context, gh *github.Client, key store.PRKey, gate *policy.Gate, headSHA string, pr policy.PullRequest) (store.Execution, error) {
	kind := gate.Then.Kind()
	if kind == policy.ActionNone {
		return store.Execution{}, ErrNoAction
	}
	if headSHA == "" {
		return store.Execution{}, errors.New("run Z: empty head SHA")
	}
	now := x.now()
	e, created, err := x.Store.BeginExecution(ctx, store.Execution{
		Key: key, Gate: gate.Name, HeadSHA: headSHA, Kind: string(kind),
		Status: store.ExecIntent, Created: now, Updated: now,
	})
	if err != nil {
		return store.Execution{}, fmt.Errorf("record intent of %s for %s: %w", kind, gate.Name, err)
	}
	log := x.logger().With("execution", e.ID, "repo", key.Owner+"/"+key.Repo, "pr", key.Number,
		"gate", gate.Name, "head_sha", headSHA, "kind", kind)
	run := &execution{x: x, gh: gh, e: e, gate: gate, pr: pr, log: log}
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
			// not merged): trying again cannot do Z twice.
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
}

// finish records the outcome in the store and in e.
func (r *execution) finish(ctx context.Context, status store.ExecutionStatus, detail string) error {
	at := r.x.now()
	if err := r.x.Store.FinishExecution(ctx, r.e.ID, status, detail, at); err != nil {
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
