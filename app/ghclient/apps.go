package ghclient

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"
	"go.opentelemetry.io/otel/trace"
)

// Apps hands out go-github clients authenticated as one GitHub App. It is
// safe for concurrent use.
type Apps struct {
	baseURL *url.URL
	appID   int64
	key     *rsa.PrivateKey
	base    http.RoundTripper // retry + counter + network
	cache   *etagCache        // nil when disabled
	log     *slog.Logger
	tracing trace.TracerProvider
	onRate  func(installation int64, remaining int)

	mu    sync.Mutex
	insts map[int64]*github.Client
}

// New checks the configuration and builds the shared transports. It fails
// on a missing app id or an unusable private key.
func New(cfg Config) (*Apps, error) {
	if cfg.AppID <= 0 {
		return nil, errors.New("ghclient: app id is required")
	}
	if len(cfg.PrivateKey) == 0 {
		return nil, fmt.Errorf("ghclient: %w: private key is empty", ErrBadKey)
	}
	key, err := parsePrivateKey(cfg.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("ghclient: %w", err)
	}
	base, cache, u, log, err := stack(cfg)
	if err != nil {
		return nil, err
	}
	return &Apps{
		baseURL: u,
		appID:   cfg.AppID,
		key:     key,
		base:    base,
		cache:   cache,
		log:     log,
		tracing: cfg.TracerProvider,
		onRate:  cfg.OnRateLimit,
		insts:   make(map[int64]*github.Client),
	}, nil
}

// stack builds the layers shared by every client of one configuration:
// the network transport wrapped by the call counter and the retrier.
func stack(cfg Config) (http.RoundTripper, *etagCache, *url.URL, *slog.Logger, error) {
	u, err := url.Parse(normalizeBaseURL(cfg.BaseURL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, nil, nil, nil, fmt.Errorf("ghclient: base URL %q: want http(s)://HOST/[api/v3/]", cfg.BaseURL)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := cfg.Transport
	if tr == nil {
		tr = newTransport(cfg.IdleConnsPerHost)
	}
	if cfg.OnCall != nil {
		tr = &counterTransport{next: tr, basePath: u.Path, hook: cfg.OnCall}
	}
	tr = &retryTransport{next: tr, policy: cfg.Retry.withDefaults(), log: log, now: time.Now}
	var cache *etagCache
	if cfg.CacheEntries >= 0 {
		b := cfg.CacheBytes
		if b <= 0 {
			b = DefaultCacheBytes
		}
		cache = newETagCache(cfg.CacheEntries, b)
	}
	return tr, cache, u, log, nil
}

// newTransport is http.DefaultTransport keeping idle connections per
// host for every worker (the default keeps 2, so concurrent evaluations
// keep opening new ones).
func newTransport(idlePerHost int) *http.Transport {
	if idlePerHost <= 0 {
		idlePerHost = DefaultIdleConnsPerHost
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = idlePerHost
	t.MaxIdleConns = max(t.MaxIdleConns, idlePerHost)
	return t
}

// Installation returns the client for one installation, creating and
// caching its token transport on first use. Tokens refresh by themselves.
func (a *Apps) Installation(id int64) (*github.Client, error) {
	if id <= 0 {
		return nil, fmt.Errorf("ghclient: installation id %d: must be positive", id)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.insts[id]; ok {
		return c, nil
	}
	atr := ghinstallation.NewAppsTransportFromPrivateKey(a.base, a.appID, a.key)
	atr.BaseURL = strings.TrimRight(a.baseURL.String(), "/")
	itr := ghinstallation.NewFromAppsTransport(atr, id)
	itr.BaseURL = atr.BaseURL
	var tr http.RoundTripper = itr
	if a.onRate != nil {
		tr = &rateTransport{next: tr, installation: id, hook: a.onRate}
	}
	if a.cache != nil {
		tr = &etagTransport{next: tr, cache: a.cache, identity: "installation:" + strconv.FormatInt(id, 10)}
	}
	c := a.client(tr)
	a.insts[id] = c
	return c, nil
}

// App returns a client authenticated with the App's JWT, for the /app
// endpoints (installations, access tokens). Its responses are not cached.
func (a *Apps) App() (*github.Client, error) {
	atr := ghinstallation.NewAppsTransportFromPrivateKey(a.base, a.appID, a.key)
	atr.BaseURL = strings.TrimRight(a.baseURL.String(), "/")
	return a.client(atr), nil
}

// Forget drops an installation's cached client (after an uninstall).
func (a *Apps) Forget(id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.insts, id)
}

// BaseURL returns the API root the clients talk to.
func (a *Apps) BaseURL() string { return a.baseURL.String() }

func (a *Apps) client(tr http.RoundTripper) *github.Client {
	return newGitHub(a.baseURL, withTracing(tr, a.tracing, a.baseURL.Path))
}

// newGitHub makes a go-github client rooted at u. Setting BaseURL directly
// serves github.com, GHES and the simulator alike.
func newGitHub(u *url.URL, tr http.RoundTripper) *github.Client {
	c := github.NewClient(&http.Client{Transport: tr})
	if u.String() != DefaultBaseURL {
		bu := *u
		c.BaseURL = &bu
		up := *u
		up.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v3") + "/api/uploads/"
		c.UploadURL = &up
	}
	return c
}

// NewTokenClient returns a client authenticated with a bearer token (the
// Action's GITHUB_TOKEN), with the same ETag cache and retries as [Apps].
// baseURL and tr default as in [Config].
func NewTokenClient(baseURL, token string, tr http.RoundTripper) (*github.Client, error) {
	return NewTokenClientConfig(Config{BaseURL: baseURL, Transport: tr}, Token(token))
}

// NewTokenClientConfig is [NewTokenClient] with the rest of a [Config]
// (logger, retry policy, call hook); AppID and PrivateKey are ignored.
func NewTokenClientConfig(cfg Config, token Token) (*github.Client, error) {
	if token == "" {
		return nil, errors.New("ghclient: token is empty")
	}
	base, cache, u, _, err := stack(cfg)
	if err != nil {
		return nil, err
	}
	var tr http.RoundTripper = &tokenTransport{next: base, token: token}
	if cache != nil {
		sum := sha256.Sum256([]byte(token))
		tr = &etagTransport{next: tr, cache: cache, identity: "token:" + hex.EncodeToString(sum[:8])}
	}
	return newGitHub(u, tr), nil
}

// tokenTransport adds a bearer token.
type tokenTransport struct {
	next  http.RoundTripper
	token Token
}

// RoundTrip implements http.RoundTripper.
func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+string(t.token))
	return t.next.RoundTrip(r)
}
