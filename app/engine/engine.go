package engine

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"go.opentelemetry.io/otel/trace"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/policy"
)

// Clients hands out GitHub clients (ghclient.Apps).
type Clients interface {
	Installation(id int64) (*github.Client, error)
	// App is authenticated as the App itself, for /app endpoints.
	App() (*github.Client, error)
}

// Gatherer reads the facts of a pull request (facts.Gatherer).
type Gatherer interface {
	Gather(ctx context.Context, gh *github.Client, owner, repo string, number int) (*facts.Result, error)
	OpenPRs(ctx context.Context, gh *github.Client, owner, repo, base string) ([]int, error)
}

// Publisher writes a check run unless its fingerprint is unchanged.
type Publisher interface {
	Publish(ctx context.Context, gh *github.Client, owner, repo, sha string, c report.Content) (runID int64, changed bool, err error)
}

// Executor runs a gate's Z once per (repo, PR, gate, head SHA) and writes
// its audit records (the intent with decision, each outcome) in the same
// transactions as its state (act.Executor with Audit set).
type Executor interface {
	// RunDecided returns the execution, stored or new; err is set when
	// the outcome could not be determined or recorded.
	RunDecided(ctx context.Context, gh *github.Client, key store.PRKey, gate *policy.Gate, headSHA string, pr policy.PullRequest, decision any) (store.Execution, error)
}

// Store is the part of the store the engine reads.
type Store interface {
	Executions(ctx context.Context, status store.ExecutionStatus) ([]store.Execution, error)
	// Execution reads one execution, to see a person's answer to an
	// unknown one.
	Execution(ctx context.Context, id string) (store.Execution, error)
	// FinishExecutionAudited settles an execution and appends its audit
	// record in one transaction.
	FinishExecutionAudited(ctx context.Context, id string, status store.ExecutionStatus, detail string, at time.Time, build store.AuditBuilder) error
}

// Enqueuer schedules re-evaluations (the queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, key store.PRKey, at time.Time) error
}

// Auditor appends to the audit log (audit.Log).
type Auditor interface {
	Append(ctx context.Context, e audit.Entry) (store.AuditRecord, error)
	// Builder makes e's record for a store transaction that also writes
	// what it records.
	Builder(e audit.Entry) (store.AuditBuilder, error)
}

// Config wires an [Engine]. Every field but Logger, Now, DetailsURL,
// StagedPublisher, Stager and PolicyChanges is required.
type Config struct {
	Clients   Clients
	Gatherer  Gatherer
	Publisher Publisher
	Executor  Executor
	Store     Store
	Queue     Enqueuer
	Audit     Auditor
	Metrics   *metrics.Metrics
	Logger    *slog.Logger
	// Now is the clock; time.Now when nil. Only the app reads the clock.
	Now func() time.Time
	// BotLogin is the App's bot login ("zgate[bot]"): a commit status it
	// wrote is its own, not a foreign claim. Optional.
	BotLogin string
	// DetailsURL links a check run to a page about the pull request; nil
	// for none.
	DetailsURL func(key store.PRKey) string
	// StagedPublisher and Stager let [Engine.ReevaluateStaged] stage its
	// writes; without them it writes fingerprints directly and cannot
	// commit staged audit records before a Z.
	StagedPublisher StagedPublisher
	Stager          Stager
	// StatusNotices counts the status webhooks noted per commit (the
	// server's StatusNotes): a head's statuses are read on its first
	// evaluation and again only after a notice. Nil reads them on every
	// evaluation.
	StatusNotices StatusNotices
	// PolicyChanges reads what a pull request changes of the policy and
	// CODEOWNERS, for the `zgate/policy` check; nil writes no such check.
	PolicyChanges PolicyChanges
	// StatusRecheck re-reads a head's statuses also when the last read is
	// older than this, so that the sweep (half its interval is a good
	// value) covers a status webhook that was lost; 0: only on notices.
	StatusRecheck time.Duration
	// Pending keeps the first pending evaluation of each gate head, for
	// the approval latency SLI; nil observes no latency.
	Pending PendingStore
	// TracerProvider starts a trace per re-evaluation; nil for none.
	TracerProvider trace.TracerProvider
	// Asks records review requests and PR commands; nil makes no review
	// requests and answers no commands.
	Asks Asks
	// Decisions signs the decision of every Z that ran (signed gate
	// decisions); nil signs none.
	Decisions DecisionSigner
}

// StatusNotices says how many status webhooks claiming a zgate check
// were noted for a commit (*store.Store).
type StatusNotices interface {
	StatusNotice(ctx context.Context, owner, repo, sha string) (int64, error)
}

// Engine re-evaluates pull requests. It is safe for concurrent use; the
// queue runs each pull request serially.
type Engine struct {
	cfg Config
	log *slog.Logger
	now func() time.Time

	mu sync.Mutex
	// lastGood keeps the last policy that loaded per repository and base,
	// so an unloadable policy fails each known gate by name.
	lastGood map[string]*policy.Policy
	// execs remembers the latest execution per (PR, gate, head), so an open
	// gate whose Z ran is not re-gathered on every evaluation, and its check
	// run keeps saying what Z did.
	execs map[string]store.Execution
	// known are the repositories evaluated since start, for a sweep where
	// GitHub cannot list an installation's repositories.
	known map[store.PRKey]bool
	// unaudited holds audit records an evaluation failed to append, per
	// pull request, appended first by its next evaluation: decisions and
	// the like, whose check is already on GitHub. A Z's records never go
	// here: the executor writes them with the execution's state.
	unaudited map[store.PRKey][]audit.Entry
	// statusReads are the statuses claiming zgate checks last read per
	// commit, with the notice count they were read at (guardStatuses).
	statusReads map[string]statusRead
	sli         sliState
	tracer      trace.Tracer
}

// New checks cfg and returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Clients == nil || cfg.Gatherer == nil || cfg.Publisher == nil || cfg.Executor == nil ||
		cfg.Store == nil || cfg.Queue == nil || cfg.Audit == nil || cfg.Metrics == nil {
		return nil, errors.New("engine: clients, gatherer, publisher, executor, store, queue, audit and metrics are required")
	}
	e := &Engine{cfg: cfg, log: cfg.Logger, now: cfg.Now, lastGood: map[string]*policy.Policy{}, execs: map[string]store.Execution{}, known: map[store.PRKey]bool{}, unaudited: map[store.PRKey][]audit.Entry{}, statusReads: map[string]statusRead{}}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	e.tracer = tracing.Tracer(cfg.TracerProvider)
	return e, nil
}

// Reevaluate is the queue's handler: it recomputes and reports the
// decision for key and returns when to run again (zero: only on the next
// event). A returned error makes the queue retry with backoff.
func (e *Engine) Reevaluate(ctx context.Context, key store.PRKey) (next time.Time, err error) {
	start := time.Now()
	defer func() { e.cfg.Metrics.EvaluationSeconds.Observe(time.Since(start).Seconds()) }()
	ctx, span := e.startTrace(ctx, key)
	defer func() { e.endTrace(span, err) }()
	log := tracing.Logger(ctx, e.log.With("installation", key.Installation, "repo", key.Owner+"/"+key.Repo, "pr", key.Number))
	gh, err := e.cfg.Clients.Installation(key.Installation)
	if err != nil {
		return time.Time{}, err
	}
	if IsInstallationKey(key) {
		return time.Time{}, e.expandInstallation(ctx, log, gh, key)
	}
	e.mu.Lock()
	e.known[RepoKey(key.Installation, key.Owner, key.Repo)] = true
	e.mu.Unlock()
	if IsRepoKey(key) {
		return time.Time{}, e.expand(ctx, log, gh, key)
	}
	if IsMergeQueueKey(key) {
		return time.Time{}, e.judgeQueue(ctx, log, gh, key)
	}
	if err := e.flushAudit(ctx, key); err != nil {
		return time.Time{}, err
	}
	return e.evaluate(ctx, log, gh, key)
}
