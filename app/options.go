package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/queue"
	"github.com/zgate-dev/zgate/app/server"
)

// Defaults for [Options].
const (
	DefaultListen         = ":8080"
	DefaultGitHubURL      = ghclient.DefaultBaseURL
	DefaultDatabase       = "sqlite:zgate.db"
	DefaultSweepInterval  = 30 * time.Minute
	DefaultWorkers        = queue.DefaultWorkers
	DefaultMembershipTTL  = 5 * time.Minute
	DefaultGitHubCacheMB  = 48
	DefaultShutdownGrace  = 10 * time.Second
	DefaultQueuePoll      = 5 * time.Second
	DefaultJobLease       = 2 * time.Minute
	DefaultDeliveryMaxAge = 7 * 24 * time.Hour
	// DefaultAuditCheckpointInterval is how often the audit log's head is
	// checkpointed (when it grew).
	DefaultAuditCheckpointInterval = time.Minute

	// HTTP limits of `zgate serve` (docs/config.md, "Intake limits").
	DefaultReadHeaderTimeout  = 10 * time.Second
	DefaultReadTimeout        = 30 * time.Second
	DefaultWriteTimeout       = 30 * time.Second
	DefaultIdleTimeout        = 2 * time.Minute
	DefaultMaxHeaderBytes     = 64 << 10
	DefaultMaxConns           = 512
	DefaultMaxConcurrentReads = server.DefaultMaxConcurrentReads

	// Redelivery of failed webhook deliveries (docs/config.md).
	DefaultRedeliveryInterval = 5 * time.Minute
	DefaultRedeliveryWindow   = 24 * time.Hour
	DefaultRedeliveryMax      = 100

	// Pruning of the store (docs/config.md); the audit log is never pruned.
	DefaultPruneInterval  = time.Hour
	DefaultCheckRetention = 30 * 24 * time.Hour
	// DefaultJobMaxAttempts is about a week of failures at the queue's
	// 10-minute backoff cap.
	DefaultJobMaxAttempts = 1000
)

// ErrConfig is wrapped by every error [Options.Check] returns, so the
// command can tell bad configuration (exit 2) from a failure at run time.
var ErrConfig = errors.New("bad configuration")

// Secret is key material that prints redacted through fmt and slog.
type Secret []byte

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// String implements fmt.Stringer, redacted.
func (Secret) String() string { return "REDACTED" }

// Options is the App's configuration.
type Options struct {
	// Listen is the HTTP address (":8080"); ignored when Listener is set.
	Listen string
	// Listener, when set, is used instead of listening on Listen.
	Listener net.Listener
	// OnListen, when set, is called with the address once it serves.
	OnListen func(addr net.Addr)

	AppID int64
	// PrivateKey is the App's PEM key, PKCS#1 or PKCS#8.
	PrivateKey    ghclient.PrivateKey
	WebhookSecret Secret
	// WebhookSecretPrevious, when set, is accepted besides WebhookSecret
	// while the secret is rotated; remove it once GitHub signs with the new
	// one (docs/deploy.md).
	WebhookSecretPrevious Secret
	// GitHubURL is the REST API root; GHES and the simulator use
	// "https://HOST/api/v3/".
	GitHubURL string
	// Database is "sqlite:PATH" or "postgres://...".
	Database string
	// TrustedRoot is the Sigstore trusted root (JSON or JSONL) used to
	// verify attestations; empty means attestation controls never hold.
	TrustedRoot string
	// BotLogin is the App's bot login ("zgate[bot]"); events it sends are
	// ignored. Optional.
	BotLogin string

	// SweepInterval is how often every open pull request of every
	// installation is re-evaluated; 0 disables the sweep.
	SweepInterval time.Duration
	Workers       int
	// GitHubCacheMB is the memory, in MB, for GitHub answers kept for
	// conditional requests (an answer 304 costs no rate limit); 0 means
	// DefaultGitHubCacheMB, negative disables the cache.
	GitHubCacheMB int
	MembershipTTL time.Duration
	QueuePoll     time.Duration
	// JobLease is how long a worker holds a pull request's job; a crashed
	// replica's jobs are taken again after it.
	JobLease      time.Duration
	ShutdownGrace time.Duration

	// AuditKey authenticates every audit record (HMAC-SHA256), so that
	// rewriting the log needs a secret the database does not hold. Nil
	// leaves the log plain (a warning is logged); a log already keyed
	// then refuses to start (see audit.ErrKeyRequired).
	AuditKey *audit.Key
	// AuditCheckpointFile, when set, receives a JSON line per audit
	// checkpoint (the last record's seq and hash, with a MAC), besides the
	// "audit checkpoint" log line: kept off the database host, it lets
	// `zgate audit verify --checkpoints` detect records cut off the end.
	AuditCheckpointFile string
	// AuditCheckpointInterval is how often a checkpoint is taken when the
	// log grew; 0 means only at start and at shutdown.
	AuditCheckpointInterval time.Duration
	// HTTP limits; 0 means the Default. ReadTimeout bounds reading a whole
	// request, body included; WriteTimeout the handling and answer;
	// IdleTimeout a keep-alive connection between requests.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// MaxHeaderBytes caps a request's header size (431 past it).
	MaxHeaderBytes int
	// MaxConns caps the connections served at once.
	MaxConns int
	// MaxConcurrentReads caps webhook deliveries read and handled at once
	// (503 with Retry-After when all are taken for 2 s).
	MaxConcurrentReads int

	// RedeliveryInterval is how often the App's recent failed deliveries
	// are asked for again (and once at start); 0 disables.
	RedeliveryInterval time.Duration
	// RedeliveryWindow bounds how far back deliveries are looked at;
	// RedeliveryMax how many are asked for again per run. 0: the Default.
	RedeliveryWindow time.Duration
	RedeliveryMax    int

	// PruneInterval is how often old rows are removed; 0 disables.
	PruneInterval time.Duration
	// DeliveryRetention is how long delivery ids are kept for dedupe; it
	// must cover RedeliveryWindow. CheckRetention is how long the
	// fingerprint of a check run not rewritten since is kept. 0: Default.
	DeliveryRetention time.Duration
	CheckRetention    time.Duration
	// JobMaxAttempts is how many failures in a row a re-evaluation job
	// may have before pruning drops it; 0: the Default.
	JobMaxAttempts int

	// DebugPprof, when set, is the address (keep it on localhost) where
	// Go's profiles are served (/debug/pprof/), on their own listener,
	// never the webhook one. Empty (the default) serves none.
	DebugPprof string

	// Web configures the gate details page (web_options.go).
	Web WebOptions

	Logger *slog.Logger
	// Registerer receives the App's metrics; Gatherer serves /metrics.
	// A fresh registry for both when nil.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// Transport carries GitHub calls; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// TracerProvider traces deliveries, re-evaluations and GitHub calls
	// (app/tracing); nil or a no-op provider traces nothing.
	TracerProvider trace.TracerProvider
	// Decisions signs the decision of every Z that ran and uploads it
	// (signed gate decisions, *decision.Signer); nil signs none.
	Decisions engine.DecisionSigner
}

// Check fills defaults and reports what is missing or unusable.
func (o *Options) Check() error {
	if o.AppID <= 0 {
		return fmt.Errorf("%w: the app id is required (--app-id, ZGATE_APP_ID)", ErrConfig)
	}
	if len(o.PrivateKey) == 0 {
		return fmt.Errorf("%w: the App's private key is required (--private-key, ZGATE_PRIVATE_KEY)", ErrConfig)
	}
	if len(o.WebhookSecret) == 0 {
		return fmt.Errorf("%w: the webhook secret is required (--webhook-secret or --webhook-secret-file)", ErrConfig)
	}
	if o.Listen == "" {
		o.Listen = DefaultListen
	}
	if o.GitHubURL == "" {
		o.GitHubURL = DefaultGitHubURL
	}
	if o.Database == "" {
		o.Database = DefaultDatabase
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.MembershipTTL <= 0 {
		o.MembershipTTL = DefaultMembershipTTL
	}
	if o.QueuePoll <= 0 {
		o.QueuePoll = DefaultQueuePoll
	}
	if o.JobLease <= 0 {
		o.JobLease = DefaultJobLease
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = DefaultShutdownGrace
	}
	if o.AuditCheckpointInterval < 0 {
		return fmt.Errorf("%w: the audit checkpoint interval %s is negative", ErrConfig, o.AuditCheckpointInterval)
	}
	defaultTo(&o.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	defaultTo(&o.ReadTimeout, DefaultReadTimeout)
	defaultTo(&o.WriteTimeout, DefaultWriteTimeout)
	defaultTo(&o.IdleTimeout, DefaultIdleTimeout)
	defaultTo(&o.MaxHeaderBytes, DefaultMaxHeaderBytes)
	defaultTo(&o.MaxConns, DefaultMaxConns)
	defaultTo(&o.MaxConcurrentReads, DefaultMaxConcurrentReads)
	defaultTo(&o.RedeliveryWindow, DefaultRedeliveryWindow)
	defaultTo(&o.RedeliveryMax, DefaultRedeliveryMax)
	defaultTo(&o.DeliveryRetention, DefaultDeliveryMaxAge)
	defaultTo(&o.CheckRetention, DefaultCheckRetention)
	defaultTo(&o.JobMaxAttempts, DefaultJobMaxAttempts)
	if o.RedeliveryInterval < 0 || o.PruneInterval < 0 {
		return fmt.Errorf("%w: the redelivery and prune intervals must not be negative", ErrConfig)
	}
	if o.DeliveryRetention < o.RedeliveryWindow {
		// A delivery redelivered after its id was forgotten would be taken
		// as new: harmless (every event only re-evaluates) but wasteful.
		return fmt.Errorf("%w: the delivery retention %s must cover the redelivery window %s", ErrConfig, o.DeliveryRetention, o.RedeliveryWindow)
	}
	if o.SweepInterval < 0 {
		return fmt.Errorf("%w: the sweep interval %s is negative", ErrConfig, o.SweepInterval)
	}
	if err := o.Web.check(); err != nil {
		return err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registerer == nil {
		reg := prometheus.NewRegistry()
		o.Registerer, o.Gatherer = reg, reg
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// defaultTo sets *v to def when it is zero or negative.
func defaultTo[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// redactDSN hides a database password for logs.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	return u.Redacted()
}
