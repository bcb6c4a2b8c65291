package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/buildinfo"
)

// MaxBodyBytes caps a webhook body; GitHub caps payloads at 25 MiB.
const MaxBodyBytes = 25 << 20

// Intaker durably records a delivery (queue.Runner): who pushed which
// head, the re-evaluations it asks for and its id, in one transaction —
// all or nothing, so a delivery answered 503 left nothing behind and one
// answered 202 left everything. new is false for a delivery id recorded
// before.
type Intaker interface {
	Intake(ctx context.Context, in store.Intake) (new bool, err error)
}

// Auditor records rejected webhooks in the audit log.
type Auditor interface {
	WebhookRejected(ctx context.Context, r Rejection) error
}

// Rejection describes a webhook intake refused. Values taken from the
// request are clipped; rejections of unauthenticated requests are rate
// limited, and the record written after a pause counts those left out.
type Rejection struct {
	Delivery string `json:"delivery,omitempty"`
	Event    string `json:"event,omitempty"`
	Remote   string `json:"remote,omitempty"`
	Status   int    `json:"status"`
	Reason   string `json:"reason"`
	// Suppressed counts unauthenticated rejections not recorded since the
	// previous record (the metrics and logs have each one).
	Suppressed int `json:"suppressed,omitempty"`
}

// Config is what the server needs; every field but Ready, Gatherer,
// Invalidate and Uninstalled is required.
type Config struct {
	// Secret is the webhook secret shared with GitHub.
	Secret []byte
	// PreviousSecret, when set, is also accepted while the secret is being
	// rotated (see [Config.Secret] and docs/deploy.md).
	PreviousSecret []byte
	// Build is shown on /healthz.
	Build buildinfo.Info
	// AppID is the App's id; check runs and suites of this app are its own.
	AppID int64
	// BotLogin is the App's bot login ("zgate[bot]"); events sent by it are
	// ignored. Empty when unknown.
	BotLogin string
	// Intake records deliveries with the senders of pull_request opened,
	// synchronize and reopened deliveries and of branch pushes (the
	// pushers whose approvals do not count) and the jobs they ask for.
	Intake  Intaker
	Audit   Auditor
	Metrics *metrics.Metrics
	// StatusNotes records the commits that status deliveries claiming a
	// zgate check name are about, so that the engine, which reads a
	// commit's statuses only after such a notice, re-reads them. Nil
	// records nothing: then the engine must read them every time
	// (engine.Config.StatusNotices nil).
	StatusNotes StatusNoter
	// Hints keeps the pull requests and reviews that deliveries carry,
	// for the engine's next evaluation of each to start from
	// (facts.Hints); nil keeps none.
	Hints *facts.Hints
	// Gatherer serves /metrics; nil disables the endpoint.
	Gatherer prometheus.Gatherer
	// Ready reports whether the App can serve (the store is reachable).
	Ready func(ctx context.Context) error
	// Invalidate drops cached team membership of org/team ("" team: the
	// whole org) after a membership or team event.
	Invalidate func(org, team string)
	// Uninstalled drops what is cached about an installation that was
	// deleted or suspended; nil for nothing.
	Uninstalled func(installation int64)
	Logger      *slog.Logger
	Now         func() time.Time

	// MaxConcurrentReads caps webhook deliveries read and handled at
	// once; 0 means [DefaultMaxConcurrentReads].
	MaxConcurrentReads int
	// ReadWait is how long a delivery waits for a read slot before it is
	// answered 503 with Retry-After; 0 means [DefaultReadWait].
	ReadWait time.Duration
	// BodyReadTimeout bounds reading one body; 0 means
	// [DefaultBodyReadTimeout].
	BodyReadTimeout time.Duration
}

// StatusNoter records that a commit got a status claiming a zgate check
// (*store.Store).
type StatusNoter interface {
	NoteStatus(ctx context.Context, owner, repo, sha string) error
}

// Server serves the App's HTTP endpoints.
type Server struct {
	cfg     Config
	log     *slog.Logger
	reads   readSlots
	bufs    sync.Pool // *bytes.Buffer for bodies
	limiter rejectLimiter
}

// New checks cfg and returns a server.
func New(cfg Config) (*Server, error) {
	switch {
	case len(cfg.Secret) == 0:
		return nil, errors.New("server: webhook secret is empty")
	case cfg.Intake == nil || cfg.Audit == nil:
		return nil, errors.New("server: intake and audit are required")
	case cfg.Metrics == nil:
		return nil, errors.New("server: metrics are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxConcurrentReads <= 0 {
		cfg.MaxConcurrentReads = DefaultMaxConcurrentReads
	}
	if cfg.ReadWait <= 0 {
		cfg.ReadWait = DefaultReadWait
	}
	if cfg.BodyReadTimeout <= 0 {
		cfg.BodyReadTimeout = DefaultBodyReadTimeout
	}
	s := &Server{cfg: cfg, log: cfg.Logger, reads: make(readSlots, cfg.MaxConcurrentReads)}
	s.bufs.New = func() any { return new(bytes.Buffer) }
	return s, nil
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", s.webhook)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.cfg.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{}))
	}
	return mux
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.Warn("not ready", "err", err)
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
	}
	_, _ = w.Write([]byte("ready\n"))
}
