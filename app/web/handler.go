package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// Clients hands out GitHub clients (ghclient.Apps).
type Clients interface {
	Installation(id int64) (*github.Client, error)
	App() (*github.Client, error)
}

// Gatherer reads the facts of a pull request (facts.Gatherer, the same
// one the engine uses, so its caches serve both).
type Gatherer interface {
	Gather(ctx context.Context, gh *github.Client, owner, repo string, number int) (*facts.Result, error)
}

// Store is what the page reads and its sessions (*store.Store).
type Store interface {
	PRAuditRecords(ctx context.Context, repo string, number, limit int) ([]store.AuditRecord, error)
	PRExecutions(ctx context.Context, owner, repo string, number int) ([]store.Execution, error)
	CreateWebSession(ctx context.Context, ws store.WebSession) error
	WebSession(ctx context.Context, idHash string, now time.Time) (store.WebSession, error)
	DeleteWebSession(ctx context.Context, idHash string) error
}

// Config configures a [Handler].
type Config struct {
	// PublicURL is where zgate is reached ("https://zgate.example.com");
	// the OAuth callback is below it, and cookies are Secure when it is
	// https. Required with OAuth.
	PublicURL string
	// GitHubURL is GitHub's REST API root; GitHub's web root (for the
	// OAuth endpoints) is derived from it.
	GitHubURL string
	// OAuthClientID and OAuthClientSecret are the App's; without them
	// only public repositories have pages.
	OAuthClientID     string
	OAuthClientSecret string
	// SessionTTL bounds a sign-in; DefaultSessionTTL when 0.
	SessionTTL time.Duration
	Clients    Clients
	Gatherer   Gatherer
	Store      Store
	// HTTPClient makes the calls with the user's token and the token
	// exchange; http.DefaultClient when nil.
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
}

// Defaults.
const (
	DefaultSessionTTL = 8 * time.Hour
	// TimelineLimit is how many of a pull request's latest audit records
	// the page shows.
	TimelineLimit = 200
	// installationTTL is how long a repository's installation is kept.
	installationTTL = 10 * time.Minute
)

// Handler serves the gate details page and its sign-in.
type Handler struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	r      *renderer
	hc     *http.Client
	api    *url.URL
	web    *url.URL
	secure bool
	mux    *http.ServeMux

	mu    sync.Mutex
	insts map[string]instEntry
}

type instEntry struct {
	id    int64
	until time.Time
}

// New checks cfg and returns a handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Clients == nil || cfg.Gatherer == nil || cfg.Store == nil {
		return nil, errors.New("web: clients, gatherer and store are required")
	}
	if (cfg.OAuthClientID == "") != (cfg.OAuthClientSecret == "") {
		return nil, errors.New("web: the OAuth client id and secret go together")
	}
	if cfg.OAuthClientID != "" && cfg.PublicURL == "" {
		return nil, errors.New("web: sign-in needs the public URL, for its callback")
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, now: cfg.Now, hc: cfg.HTTPClient, insts: map[string]instEntry{}}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.hc == nil {
		h.hc = http.DefaultClient
	}
	if h.cfg.SessionTTL <= 0 {
		h.cfg.SessionTTL = DefaultSessionTTL
	}
	h.cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	h.secure = strings.HasPrefix(h.cfg.PublicURL, "https://")
	var err error
	if h.api, h.web, err = roots(cfg.GitHubURL); err != nil {
		return nil, err
	}
	if h.r, err = newRenderer(); err != nil {
		return nil, err
	}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("GET /gates/{owner}/{repo}/{number}", h.gate)
	h.mux.HandleFunc("GET /auth/login", h.login)
	h.mux.HandleFunc("GET /auth/callback", h.callback)
	return h, nil
}

// Routes are the path prefixes [Handler.ServeHTTP] serves.
var Routes = []string{"/gates/", "/auth/"}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.r.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Vary", "Accept, Cookie")
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.notFound(w, r, "")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// DetailsURL is the page of a pull request under publicURL.
func DetailsURL(publicURL, owner, repo string, number int) string {
	return strings.TrimRight(publicURL, "/") + "/gates/" + url.PathEscape(owner) + "/" + url.PathEscape(repo) + "/" + strconv.Itoa(number)
}

// namePart is what GitHub allows in an owner or repository name.
var namePart = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

func (h *Handler) gate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	number, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || number <= 0 || !namePart.MatchString(owner) || !namePart.MatchString(repo) {
		h.notFound(w, r, "")
		return
	}
	sess := h.session(r)
	login := ""
	if sess != nil {
		login = sess.login
	}
	gh, meta, err := h.repository(ctx, owner, repo)
	if err != nil && !errors.Is(err, errNoRepo) {
		h.log.WarnContext(ctx, "details page: repository unreadable", "repo", owner+"/"+repo, "err", err)
	}
	if err != nil || meta.GetPrivate() || meta.GetVisibility() != "public" {
		// Private, internal, not installed or not there: the same
		// answer for all until the user's own token says they can read it.
		if sess == nil {
			h.signIn(w, r)
			return
		}
		if err != nil || !h.userCanRead(ctx, sess.token, owner, repo) {
			h.notFound(w, r, login)
			return
		}
	}
	page, err := h.page(ctx, gh, meta, number)
	if errors.Is(err, errNoRepo) {
		h.notFound(w, r, login)
		return
	}
	if err != nil {
		h.log.ErrorContext(ctx, "details page", "repo", owner+"/"+repo, "pr", number, "err", err)
		h.fail(w, r, login, http.StatusBadGateway, "GitHub could not be read; try again shortly.")
		return
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, page)
		return
	}
	h.html(w, http.StatusOK, "page", view{Title: fmt.Sprintf("zgate · %s#%d", page.Repository, page.Number), Login: login, Page: &page})
}

// page gathers and evaluates the pull request as the engine does.
func (h *Handler) page(ctx context.Context, gh *github.Client, meta *github.Repository, number int) (Page, error) {
	owner, repo := meta.GetOwner().GetLogin(), meta.GetName()
	res, err := h.cfg.Gatherer.Gather(ctx, gh, owner, repo, number)
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil && ge.Response.StatusCode == http.StatusNotFound {
		return Page{}, errNoRepo
	}
	if err != nil {
		return Page{}, err
	}
	now := h.now()
	var dec policy.Decision
	if res.Policy != nil {
		dec = facts.Evaluate(res, now)
	}
	execs, err := h.cfg.Store.PRExecutions(ctx, owner, repo, number)
	if err != nil {
		return Page{}, err
	}
	recs, err := h.cfg.Store.PRAuditRecords(ctx, owner+"/"+repo, number, TimelineLimit)
	if err != nil {
		return Page{}, err
	}
	return Build(Input{Res: res, Decision: dec, Executions: execs, Records: recs, RepoURL: meta.GetHTMLURL(), Now: now}), nil
}

var errNoRepo = errors.New("no such repository or pull request, or not installed")

// repository finds the App's installation on owner/repo and reads the
// repository with it (a conditional request: free while it is unchanged).
func (h *Handler) repository(ctx context.Context, owner, repo string) (*github.Client, *github.Repository, error) {
	id, err := h.installation(ctx, owner, repo)
	if err != nil {
		return nil, nil, err
	}
	gh, err := h.cfg.Clients.Installation(id)
	if err != nil {
		return nil, nil, err
	}
	meta, resp, err := gh.Repositories.Get(ctx, owner, repo)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, nil, errNoRepo
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read repository %s/%s: %w", owner, repo, err)
	}
	return gh, meta, nil
}

// installation returns the installation id covering owner/repo, kept a
// while so that page views do not spend the App's rate limit.
func (h *Handler) installation(ctx context.Context, owner, repo string) (int64, error) {
	key := strings.ToLower(owner + "/" + repo)
	now := h.now()
	h.mu.Lock()
	e, ok := h.insts[key]
	h.mu.Unlock()
	if ok && now.Before(e.until) {
		if e.id == 0 {
			return 0, errNoRepo
		}
		return e.id, nil
	}
	app, err := h.cfg.Clients.App()
	if err != nil {
		return 0, err
	}
	inst, resp, err := app.Apps.FindRepositoryInstallation(ctx, owner, repo)
	switch {
	case resp != nil && resp.StatusCode == http.StatusNotFound:
		e = instEntry{until: now.Add(time.Minute)}
	case err != nil:
		return 0, fmt.Errorf("find installation of %s/%s: %w", owner, repo, err)
	default:
		e = instEntry{id: inst.GetID(), until: now.Add(installationTTL)}
	}
	h.mu.Lock()
	if len(h.insts) > 10000 {
		clear(h.insts)
	}
	h.insts[key] = e
	h.mu.Unlock()
	if e.id == 0 {
		return 0, errNoRepo
	}
	return e.id, nil
}

// userCanRead asks GitHub, with the user's token, for the repository:
// only a 200 lets the page show.
func (h *Handler) userCanRead(ctx context.Context, token secret, owner, repo string) bool {
	u := h.api.JoinPath("repos", owner, repo)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+string(token))
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := h.hc.Do(req)
	if err != nil {
		h.log.WarnContext(ctx, "details page: user access check failed", "repo", owner+"/"+repo, "err", err)
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func wantsJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if mt == "application/json" {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func (h *Handler) html(w http.ResponseWriter, status int, name string, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := h.r.render(w, name, v); err != nil {
		h.log.Error("details page: render", "err", err)
	}
}

// notFound is the one answer for a page that does not exist or that the
// visitor may not see.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, login string) {
	if wantsJSON(r) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	h.html(w, http.StatusNotFound, "notfound", view{Title: "zgate · not found", Login: login})
}

// signIn asks an anonymous visitor to sign in (or, without OAuth, says
// not found: nothing but public repositories can be shown).
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	if h.cfg.OAuthClientID == "" {
		h.notFound(w, r, "")
		return
	}
	u := "/auth/login?next=" + url.QueryEscape(r.URL.Path)
	if wantsJSON(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Sign in required", "sign_in_url": h.cfg.PublicURL + u})
		return
	}
	h.html(w, http.StatusUnauthorized, "signin", view{Title: "zgate · sign in", SignInURL: u})
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, login string, status int, msg string) {
	if wantsJSON(r) {
		writeJSON(w, status, map[string]string{"message": msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

// roots returns GitHub's API root and web root from the API URL:
// api.github.com serves github.com; GHES's https://HOST/api/v3/ and the
// simulator's serve https://HOST.
func roots(apiURL string) (api, web *url.URL, err error) {
	if apiURL == "" {
		apiURL = "https://api.github.com/"
	}
	api, err = url.Parse(apiURL)
	if err != nil || api.Host == "" {
		return nil, nil, fmt.Errorf("web: GitHub URL %q: not an absolute URL", apiURL)
	}
	web = &url.URL{Scheme: api.Scheme, Host: api.Host}
	if p := strings.TrimSuffix(api.Path, "/"); strings.HasSuffix(p, "/api/v3") {
		web.Path = strings.TrimSuffix(p, "/api/v3")
	} else if host, ok := strings.CutPrefix(api.Host, "api."); ok {
		web.Host = host
	}
	return api, web, nil
}
