package deploy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// Clients hands out installation clients (ghclient.Apps).
type Clients interface {
	Installation(id int64) (*github.Client, error)
}

// Gatherer reads a deployment's facts (facts.Gatherer).
type Gatherer interface {
	GatherDeployment(ctx context.Context, gh *github.Client, owner, repo, defaultBranch string, d policy.Deployment) (*facts.Result, error)
}

// Store keeps the pending deployments and the executions of the answers
// (*store.Store).
type Store interface {
	PendingDeployments(ctx context.Context, owner, repo string) ([]store.Deployment, error)
	DeploymentAnswered(ctx context.Context, d store.Deployment, answer string, at time.Time) error
	FindExecution(ctx context.Context, key store.PRKey, gate, headSHA string) (store.Execution, error)
	BeginExecutionAudited(ctx context.Context, e store.Execution, build store.AuditBuilder) (store.Execution, bool, error)
	FinishExecutionAudited(ctx context.Context, id string, status store.ExecutionStatus, detail string, at time.Time, build store.AuditBuilder) error
}

// Auditor builds audit records written with the executions (audit.Log).
type Auditor interface {
	Builder(e audit.Entry) (store.AuditBuilder, error)
}

// Enqueuer schedules re-evaluations (the queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, key store.PRKey, at time.Time) error
}

// Config wires an [Engine]; Logger and Now are optional.
type Config struct {
	Clients  Clients
	Gatherer Gatherer
	Store    Store
	Audit    Auditor
	Queue    Enqueuer
	// Executions counts answers by kind and result (metrics.Executions,
	// zgate_executions_total); nil counts nothing.
	Executions *prometheus.CounterVec
	Logger     *slog.Logger
	Now        func() time.Time
}

// Engine answers GitHub's deployment protection rule requests. The queue
// runs it for deployments keys ([Key]), one repository at a time.
type Engine struct {
	cfg Config
	log *slog.Logger
	now func() time.Time
}

// New checks cfg and returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Clients == nil || cfg.Gatherer == nil || cfg.Store == nil || cfg.Audit == nil || cfg.Queue == nil {
		return nil, errors.New("deploy: clients, gatherer, store, audit and queue are required")
	}
	e := &Engine{cfg: cfg, log: cfg.Logger, now: cfg.Now}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

// Answer states, as GitHub's endpoint takes them.
const (
	stateApproved = "approved"
	stateRejected = "rejected"
	statePending  = "pending" // no answer yet
)

// ExecutionKind is the kind of the execution that records an answer.
const ExecutionKind = "deployment_protection_rule"

// Recover queues, at startup, every repository with a pending deployment,
// so that the window of each is watched again after a restart.
func (e *Engine) Recover(ctx context.Context) error {
	ds, err := e.cfg.Store.PendingDeployments(ctx, "", "")
	if err != nil {
		return fmt.Errorf("recover deployments: %w", err)
	}
	seen := map[store.PRKey]bool{}
	now := e.now()
	for _, d := range ds {
		k := Key(d.Installation, d.Owner, d.Repo)
		if seen[k] {
			continue
		}
		seen[k] = true
		if err := e.cfg.Queue.Enqueue(ctx, k, now); err != nil {
			return fmt.Errorf("recover deployments: %w", err)
		}
	}
	return nil
}

// Reevaluate decides every pending deployment of key's repository and
// answers those decided; it returns when to look again (the earliest
// window end or control expiry of those still pending).
func (e *Engine) Reevaluate(ctx context.Context, key store.PRKey) (time.Time, error) {
	log := e.log.With("installation", key.Installation, "repo", key.Owner+"/"+key.Repo)
	ds, err := e.cfg.Store.PendingDeployments(ctx, key.Owner, key.Repo)
	if err != nil || len(ds) == 0 {
		return time.Time{}, err
	}
	gh, err := e.cfg.Clients.Installation(key.Installation)
	if err != nil {
		return time.Time{}, err
	}
	var next time.Time
	var errs []error
	for _, d := range ds {
		n, err := e.one(ctx, log.With("run", d.RunID, "environment", d.Environment, "sha", d.SHA), gh, d)
		if err != nil {
			errs = append(errs, fmt.Errorf("deployment %s: %w", d, err))
			continue
		}
		if !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return next, errors.Join(errs...)
}

// gateName is the execution's gate: one answer per (run, environment).
func gateName(d store.Deployment) string {
	return fmt.Sprintf("deployment:%s:%d", d.Environment, d.RunID)
}

// one decides one deployment and answers it when decided. The answer is
// the Z: its intent (state and comment) is recorded before the call, so a
// crash between them leaves an intent that the next run settles:
//   - an intent to reject is sent again (rejecting is always safe, and
//     GitHub refuses a second answer with 422, nothing pending);
//   - an intent to approve is sent again only if a fresh evaluation
//     approves now: never approve on a guess. If the window closed
//     meanwhile, the intent becomes a rejection (refused with 422 if the
//     approval did reach GitHub before the crash).
func (e *Engine) one(ctx context.Context, log *slog.Logger, gh *github.Client, d store.Deployment) (time.Time, error) {
	key := Key(d.Installation, d.Owner, d.Repo)
	gate := gateName(d)
	x, err := e.cfg.Store.FindExecution(ctx, key, gate, d.SHA)
	switch {
	case errors.Is(err, store.ErrNotFound):
		x = store.Execution{}
	case err != nil:
		return time.Time{}, err
	case x.Status != store.ExecIntent:
		// Answered (or refused for good) before; only the row lagged.
		return time.Time{}, e.cfg.Store.DeploymentAnswered(ctx, d, x.Detail, e.now())
	}
	now := e.now()
	v, err := e.decide(ctx, gh, d, now)
	if err != nil {
		return time.Time{}, err
	}
	if x.ID != "" {
		recorded, _ := splitDetail(x.Detail)
		switch {
		case recorded == stateRejected:
			v = verdict{state: stateRejected, comment: detailComment(x.Detail)}
		case v.state == statePending:
			log.Info("an approval was recorded but not confirmed sent; waiting for a fresh evaluation to approve again", "execution", x.ID)
			return v.next, nil
		case v.state == stateRejected:
			if err := e.rerecord(ctx, key, x, d, v); err != nil {
				return time.Time{}, err
			}
		}
	}
	if v.state == statePending {
		return v.next, nil
	}
	if x.ID == "" {
		build, err := e.cfg.Audit.Builder(e.entry(d, x.ID, store.ExecIntent, v.state, v.comment))
		if err != nil {
			return time.Time{}, err
		}
		var created bool
		x, created, err = e.cfg.Store.BeginExecutionAudited(ctx, store.Execution{
			Key: key, Gate: gate, HeadSHA: d.SHA, Kind: ExecutionKind, Detail: v.state + ": " + v.comment,
		}, build)
		if err != nil {
			return time.Time{}, err
		}
		if !created && x.Status != store.ExecIntent {
			return time.Time{}, e.cfg.Store.DeploymentAnswered(ctx, d, x.Detail, now)
		}
	}
	return time.Time{}, e.answer(ctx, log, gh, d, x, v)
}

// rerecord turns a recorded approval that no longer holds into a
// rejection, before it is sent.
func (e *Engine) rerecord(ctx context.Context, key store.PRKey, x store.Execution, d store.Deployment, v verdict) error {
	build, err := e.cfg.Audit.Builder(e.entry(d, x.ID, store.ExecIntent, v.state, v.comment))
	if err != nil {
		return err
	}
	return e.cfg.Store.FinishExecutionAudited(ctx, x.ID, store.ExecIntent, v.state+": "+v.comment, e.now(), build)
}

// answer sends the recorded answer and settles the execution.
func (e *Engine) answer(ctx context.Context, log *slog.Logger, gh *github.Client, d store.Deployment, x store.Execution, v verdict) error {
	req, err := gh.NewRequest(http.MethodPost, fmt.Sprintf("repos/%s/%s/actions/runs/%d/deployment_protection_rule", d.Owner, d.Repo, d.RunID),
		map[string]string{"environment_name": d.Environment, "state": v.state, "comment": v.comment})
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	resp, err := gh.Do(ctx, req, nil)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	var exec store.ExecutionStatus
	var detail, answer string
	switch {
	case err == nil:
		exec, detail, answer = store.ExecDone, v.state+": "+v.comment, v.state
	case status == http.StatusUnprocessableEntity:
		// Nothing pending: answered already (by zgate before a crash, by
		// a person bypassing the rule) or timed out. Never send again.
		exec, detail, answer = store.ExecDone, v.state+": GitHub had nothing pending any more (answered already or timed out)", "not pending"
	case status == http.StatusNotFound:
		exec, detail, answer = store.ExecFailed, v.state+": GitHub knows no such workflow run any more", "run not found"
	default:
		// Unknown whether it went through: the intent stays, and the next
		// run sends the same answer (a second one is refused).
		return fmt.Errorf("answer %s: %w", v.state, err)
	}
	build, err := e.cfg.Audit.Builder(e.entry(d, x.ID, exec, v.state, detail))
	if err != nil {
		return err
	}
	if err := e.cfg.Store.FinishExecutionAudited(ctx, x.ID, exec, detail, e.now(), build); err != nil {
		return err
	}
	if e.cfg.Executions != nil {
		e.cfg.Executions.WithLabelValues(ExecutionKind, string(exec)).Inc()
	}
	log.Info("deployment answered", "state", v.state, "github", answer)
	return e.cfg.Store.DeploymentAnswered(ctx, d, answer, e.now())
}

// entry is the audit record of an answer's execution.
func (e *Engine) entry(d store.Deployment, id string, status store.ExecutionStatus, state, detail string) audit.Entry {
	return audit.Entry{
		Kind: audit.KindExecution, Repo: d.Owner + "/" + d.Repo, Gate: gateName(d), HeadSHA: d.SHA,
		Data: executionData{ID: id, Kind: ExecutionKind, Status: string(status), State: state, Detail: detail,
			Environment: d.Environment, RunID: d.RunID, DeploymentID: d.DeploymentID, Deployer: d.Deployer},
	}
}

// executionData is the data of an answer's audit record.
type executionData struct {
	ID           string `json:"id,omitempty"`
	Kind         string `json:"kind"`
	Status       string `json:"status"`
	State        string `json:"state"`
	Detail       string `json:"detail"`
	Environment  string `json:"environment"`
	RunID        int64  `json:"run_id"`
	DeploymentID int64  `json:"deployment_id"`
	Deployer     string `json:"deployer"`
}

// splitDetail reads "state: comment" as recorded.
func splitDetail(s string) (state, comment string) {
	for _, st := range []string{stateApproved, stateRejected} {
		if len(s) >= len(st)+2 && s[:len(st)+2] == st+": " {
			return st, s[len(st)+2:]
		}
	}
	return "", s
}

func detailComment(s string) string { _, c := splitDetail(s); return c }

// RunSweeper re-queues every repository with a pending deployment each
// interval until ctx ends, so that a timer lost with a job still ends in
// an answer; zero disables it. The queue's timers do the regular work.
func (e *Engine) RunSweeper(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := e.Recover(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("deployment sweep failed; retrying at the next interval", "err", err)
		}
	}
}
