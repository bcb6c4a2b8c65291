package ghclient

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// DefaultBaseURL is github.com's REST API root.
const DefaultBaseURL = "https://api.github.com/"

// Config configures [New].
type Config struct {
	// BaseURL is the REST API root: DefaultBaseURL when empty, or
	// "https://HOST/api/v3/" for GitHub Enterprise Server and the simulator.
	BaseURL string
	// AppID is the GitHub App's id (the JWT issuer).
	AppID int64
	// PrivateKey is the App's PEM private key, PKCS#1 or PKCS#8 RSA.
	PrivateKey PrivateKey
	// Transport is the network transport; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// Logger receives retry and cache diagnostics; discarded when nil.
	Logger *slog.Logger
	// Retry tunes retries of idempotent requests; zero fields take defaults.
	Retry RetryPolicy
	// OnCall, when set, is called once per request that reaches the
	// network (each retry attempt counts), for metrics.
	OnCall func(Call)
	// CacheEntries, when positive, also bounds the ETag cache's entries;
	// 0 leaves CacheBytes alone to bound it; negative disables the cache.
	CacheEntries int
	// CacheBytes is the ETag cache's memory budget in bytes (bodies, kept
	// headers, keys; bodies are kept deflated and charged with the memory
	// they hold); DefaultCacheBytes when zero. Size it from the open pull
	// requests: each costs a few entries, about 10 KB in all (the pull
	// request's 15 KB body keeps in ~3 KB), and an entry evicted before the
	// sweep comes back to it costs a full, rate-limited answer instead of
	// a 304.
	CacheBytes int64
	// IdleConnsPerHost is how many idle connections to keep per host
	// when Transport is nil; DefaultIdleConnsPerHost when zero. Give at
	// least the number of workers times the requests one evaluation has
	// in flight: fewer means new connections (against github.com a TLS
	// handshake each) under load.
	IdleConnsPerHost int
	// TracerProvider, when set and not a no-op, gives each GitHub call a
	// client span, a child of the span in the request's context.
	TracerProvider trace.TracerProvider
	// OnRateLimit, when set, receives X-RateLimit-Remaining of each answer
	// to an installation.
	OnRateLimit func(installation int64, remaining int)
}

// DefaultCacheBytes is the ETag cache's default budget: about 5,000 open
// pull requests' worth.
const DefaultCacheBytes int64 = 48 << 20

// DefaultIdleConnsPerHost is the idle connections kept per host by default.
const DefaultIdleConnsPerHost = 32

// maxCachedBody is the largest response body the ETag cache keeps.
const maxCachedBody = 8 << 20

// PrivateKey is PEM key material. It prints redacted through fmt and slog.
type PrivateKey []byte

// LogValue implements slog.LogValuer: the key never reaches a log.
func (PrivateKey) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// String implements fmt.Stringer, redacted.
func (PrivateKey) String() string { return "REDACTED" }

// GoString implements fmt.GoStringer, redacted.
func (PrivateKey) GoString() string { return "ghclient.PrivateKey(REDACTED)" }

// Token is an API token (installation or Actions). It prints redacted
// through fmt and slog.
type Token string

// LogValue implements slog.LogValuer: the token never reaches a log.
func (Token) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// String implements fmt.Stringer, redacted.
func (Token) String() string { return "REDACTED" }

// GoString implements fmt.GoStringer, redacted.
func (Token) GoString() string { return "ghclient.Token(REDACTED)" }

// RetryPolicy tunes retries. Only GET and HEAD are retried.
type RetryPolicy struct {
	// MaxAttempts counts the first try; DefaultMaxAttempts when zero, 1
	// disables retries.
	MaxAttempts int
	// BaseDelay is the first backoff; each retry doubles it, with full
	// jitter. DefaultBaseDelay when zero.
	BaseDelay time.Duration
	// MaxDelay caps one computed backoff. DefaultMaxDelay when zero.
	MaxDelay time.Duration
	// MaxWait is the longest wait a server may ask for (Retry-After,
	// X-RateLimit-Reset); a longer one is not waited for: the response is
	// returned and the caller retries later. DefaultMaxWait when zero.
	MaxWait time.Duration
	// Sleep waits for d or until ctx ends; a real timer when nil. Tests
	// replace it to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Retry defaults.
const (
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 250 * time.Millisecond
	DefaultMaxDelay    = 8 * time.Second
	DefaultMaxWait     = 60 * time.Second
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.MaxWait <= 0 {
		p.MaxWait = DefaultMaxWait
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

// normalizeBaseURL returns the API root with exactly one trailing slash.
func normalizeBaseURL(s string) string {
	if s == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(s, "/") + "/"
}
