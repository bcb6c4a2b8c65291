package githubsim

import (
	"crypto/rsa"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a [Sim].
type Options struct {
	// Logger receives debug logs of requests and deliveries; nil discards.
	Logger *slog.Logger
	// Record, when set, receives one JSON line per /api/v3 exchange.
	Record io.Writer
	// Now is the simulator's clock; nil means time.Now. Timestamps, token
	// expiry and JWT checks read it.
	Now func() time.Time
	// HTTPClient sends webhook deliveries; nil means a client with a 10 s
	// timeout.
	HTTPClient *http.Client
	// RateLimit is each installation's (and the App JWT's) primary rate
	// limit per hour: 0 means [DefaultRateLimit], a negative number no
	// limit. Past it, calls get 403 "API rate limit exceeded" until the
	// X-RateLimit-Reset time.
	RateLimit int
	// BaseURL is the scheme and host used in the "url" fields of objects
	// built outside a request (webhook payloads) until a request teaches
	// the simulator its own address; empty means "http://githubsim.invalid".
	BaseURL string
	// Deliverers is how many webhook deliveries may be in flight at once.
	// 0 or 1 delivers one at a time, in order, which tests of ordering
	// need; more delivers concurrently and in no promised order, as
	// GitHub does, so that a load test's webhook rate is not capped by
	// the App's answer time.
	Deliverers int
}

// Sim is an in-memory GitHub. All methods are safe for concurrent use.
type Sim struct {
	log    *slog.Logger
	now    func() time.Time
	client *http.Client
	rec    *recorder
	mux    *http.ServeMux
	// patterns lists the REST routes, "METHOD /path", in registration order.
	patterns []string

	mu            sync.Mutex
	base          string
	app           *app
	installations map[int64]*installation
	instByOwner   map[string]int64
	tokens        map[string]*token
	users         map[string]int64
	// userCache and orgCache hold the encoded simple-user and
	// organization-simple objects by login (userJSON, orgJSON).
	userCache map[string]cachedJSON
	orgCache  map[string]cachedJSON
	repos     map[string]*repo
	teams     map[string]*team
	nextID    int64
	faults    Faults
	rng       *rand.Rand
	calls     map[string]int
	rated     map[string]int // calls that used the rate limit, by route
	appBucket rateBucket
	rateLimit int
	treeLimit int // SetTreeLimit
	// annotations are the check runs' annotations, by run id.
	annotations map[int64][]CheckAnnotation
	deliveries  []Delivery
	nextHookID  int64
	sent        map[string]event // by delivery id, for Redeliver
	sentOrder   []string         // ids in sent, oldest first
	oauth       *oauthState      // OAuth clients, user tokens, visibility (oauth.go)
	manifests   manifestState    // the App manifest flow (manifest.go)
	rel         releaseStore
	deploys     deployState // environments and deployments (deployments.go)

	out outbox
	// encBufs holds *[]byte buffers for encode.
	encBufs sync.Pool
}

// app is the registered GitHub App.
type app struct {
	id            int64
	slug          string
	key           *rsa.PublicKey
	webhookURL    string
	webhookSecret string
	created       time.Time
	json          cachedJSON // appJSON
}

// New returns an empty simulator: no app, no repositories.
func New(o Options) *Sim {
	s := &Sim{
		log:           o.Logger,
		now:           o.Now,
		client:        o.HTTPClient,
		base:          strings.TrimRight(o.BaseURL, "/"),
		installations: map[int64]*installation{},
		instByOwner:   map[string]int64{},
		tokens:        map[string]*token{},
		users:         map[string]int64{},
		userCache:     map[string]cachedJSON{},
		orgCache:      map[string]cachedJSON{},
		repos:         map[string]*repo{},
		teams:         map[string]*team{},
		nextID:        1000,
		rng:           rand.New(rand.NewSource(1)),
		calls:         map[string]int{},
		sent:          map[string]event{},
	}
	s.rateLimit = o.RateLimit
	if s.rateLimit == 0 {
		s.rateLimit = DefaultRateLimit
	}
	s.appBucket.limit = s.rateLimit
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.out.max = max(o.Deliverers, 1)
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
		if s.out.max > 2 {
			// A connection per deliverer: the default transport keeps
			// two idle per host, so deliveries beyond two at once would
			// dial anew each time.
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConnsPerHost = s.out.max
			s.client.Transport = tr
		}
	}
	if s.base == "" {
		s.base = "http://githubsim.invalid"
	}
	if o.Record != nil {
		s.rec = &recorder{w: o.Record}
	}
	s.out.idle = sync.NewCond(&s.out.mu)
	s.routes()
	return s
}

// Handler returns the simulator's HTTP handler: GitHub's REST API under
// /api/v3/ and the control API under /_sim/.
func (s *Sim) Handler() http.Handler { return s.mux }

// RegisterApp registers the GitHub App whose JWTs the simulator accepts
// and where it delivers webhooks. A second call replaces the first.
func (s *Sim) RegisterApp(appID int64, publicKey *rsa.PublicKey, webhookURL, webhookSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.app = &app{id: appID, slug: "zgate", key: publicKey, webhookURL: webhookURL,
		webhookSecret: webhookSecret, created: s.clock()}
}

// SetWebhookURL changes where webhooks go (for an App that starts after
// the simulator). An empty URL stops deliveries.
func (s *Sim) SetWebhookURL(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.app != nil {
		s.app.webhookURL = url
	}
}

// id returns a fresh object id. Callers hold s.mu.
func (s *Sim) id() int64 {
	s.nextID++
	return s.nextID
}

// clock returns the current time truncated to the second, as GitHub's
// timestamps are.
func (s *Sim) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

// userID returns the stable id of a login. Callers hold s.mu.
func (s *Sim) userID(login string) int64 {
	k := strings.ToLower(login)
	if id, ok := s.users[k]; ok {
		return id
	}
	id := s.id()
	s.users[k] = id
	return id
}

func repoKey(owner, name string) string { return strings.ToLower(owner + "/" + name) }

// repo returns a repository or nil. Callers hold s.mu.
func (s *Sim) repo(owner, name string) *repo { return s.repos[repoKey(owner, name)] }

func lower(s string) string { return strings.ToLower(s) }
