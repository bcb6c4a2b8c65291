package githubsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The GitHub App manifest flow ("Registering a GitHub App from a
// manifest"): a page POSTs a form field "manifest" (JSON) to
// /organizations/{org}/settings/apps/new?state=S (or /settings/apps/new
// for a personal account); GitHub registers the App and redirects to the
// manifest's redirect_url with ?code=C&state=S; the code, single-use and
// valid for an hour, is exchanged without authentication by
// POST /app-manifests/{code}/conversions for the App's id, PEM private
// key, webhook secret and OAuth client credentials (201). The simulator
// skips GitHub's confirmation page: the POST registers at once.

// manifestCodeTTL is how long a manifest code can be exchanged.
const manifestCodeTTL = time.Hour

// Manifest is the part of a GitHub App manifest the simulator reads; the
// field names are GitHub's.
type Manifest struct {
	Name           string `json:"name"`
	URL            string `json:"url"`
	HookAttributes struct {
		URL    string `json:"url"`
		Active *bool  `json:"active,omitempty"`
	} `json:"hook_attributes"`
	RedirectURL        string            `json:"redirect_url"`
	CallbackURLs       []string          `json:"callback_urls,omitempty"`
	SetupURL           string            `json:"setup_url,omitempty"`
	Description        string            `json:"description,omitempty"`
	Public             bool              `json:"public"`
	DefaultEvents      []string          `json:"default_events"`
	DefaultPermissions map[string]string `json:"default_permissions"`
	// Raw is the manifest as posted, for tests that check every field.
	Raw json.RawMessage `json:"-"`
	// Owner is the organization (or user) the App is registered for.
	Owner string `json:"-"`
}

// pendingApp is a registered App whose credentials wait for the exchange
// of its code.
type pendingApp struct {
	manifest Manifest
	conv     map[string]any
	expires  time.Time
}

// manifestState is the simulator's manifest-flow state; guarded by s.mu.
type manifestState struct {
	codes map[string]*pendingApp
	last  *Manifest
}

// LastManifest returns the manifest last accepted, nil when none was.
func (s *Sim) LastManifest() *Manifest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.manifests.last == nil {
		return nil
	}
	m := *s.manifests.last
	return &m
}

func (s *Sim) manifestRoutes() {
	s.mux.HandleFunc("POST /organizations/{org}/settings/apps/new", func(w http.ResponseWriter, r *http.Request) {
		s.newAppFromManifest(w, r, r.PathValue("org"))
	})
	s.mux.HandleFunc("POST /settings/apps/new", func(w http.ResponseWriter, r *http.Request) {
		s.newAppFromManifest(w, r, "")
	})
	const route = "POST /app-manifests/{code}/conversions"
	s.mux.HandleFunc("POST /api/v3/app-manifests/{code}/conversions", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.learnBase(r)
		s.calls[route]++
		resp := s.convertManifest(r.PathValue("code"))
		s.mu.Unlock()
		s.finish(w, r, route, nil, resp)
	})
	s.mux.HandleFunc("GET /_sim/app", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.app == nil {
			ctlReply(w, nil, fmt.Errorf("no app registered: %w", ErrNotFound))
			return
		}
		ctlReply(w, map[string]any{"app_id": s.app.id, "slug": s.app.slug, "webhook_url": s.app.webhookURL}, nil)
	})
}

// newAppFromManifest is GitHub's "new App" form receiving a manifest.
func (s *Sim) newAppFromManifest(w http.ResponseWriter, r *http.Request, org string) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	raw := r.PostForm.Get("manifest")
	m, problem := parseManifest(raw)
	if problem != "" {
		// GitHub shows the form again with the problem; a page is enough.
		http.Error(w, "Invalid GitHub App configuration: "+problem, http.StatusUnprocessableEntity)
		return
	}
	m.Owner = org
	key, keyPEM, err := NewAppKey()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	code, err1 := randomHex("", 20)
	secret, err2 := randomHex("", 20)
	clientSecret, err3 := randomHex("", 20)
	clientID, err4 := randomHex("", 10)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		http.Error(w, "cannot make secrets", http.StatusInternalServerError)
		return
	}
	slug := slugOf(m.Name)
	active := m.HookAttributes.Active == nil || *m.HookAttributes.Active
	hook := m.HookAttributes.URL
	if !active {
		hook = ""
	}
	s.mu.Lock()
	s.learnBase(r)
	id := s.id()
	s.app = &app{id: id, slug: slug, key: &key.PublicKey, webhookURL: hook, webhookSecret: secret, created: s.clock()}
	owner := org
	if owner == "" {
		owner = "octocat"
	}
	perms := map[string]string{"metadata": "read"}
	for k, v := range m.DefaultPermissions {
		perms[k] = v
	}
	conv := map[string]any{
		"id": id, "slug": slug, "node_id": nodeID("A", id), "client_id": "Iv1." + clientID,
		"owner": s.user(owner), "name": m.Name, "description": m.Description,
		"external_url": m.URL, "html_url": s.base + "/apps/" + slug,
		"created_at": ts(s.app.created), "updated_at": ts(s.app.created),
		"permissions": perms, "events": nonNilStrings(m.DefaultEvents),
		"client_secret": clientSecret, "webhook_secret": secret, "pem": string(keyPEM),
	}
	if s.manifests.codes == nil {
		s.manifests.codes = map[string]*pendingApp{}
	}
	s.manifests.codes[code] = &pendingApp{manifest: m, conv: conv, expires: s.now().Add(manifestCodeTTL)}
	s.manifests.last = &m
	s.mu.Unlock()

	to, err := url.Parse(m.RedirectURL)
	if err != nil {
		http.Error(w, "bad redirect_url", http.StatusUnprocessableEntity)
		return
	}
	q := to.Query()
	q.Set("code", code)
	if st := r.URL.Query().Get("state"); st != "" {
		q.Set("state", st)
	}
	to.RawQuery = q.Encode()
	http.Redirect(w, r, to.String(), http.StatusFound)
}

// convertManifest exchanges a code, once, within its hour. Callers hold
// s.mu.
func (s *Sim) convertManifest(code string) response {
	p := s.manifests.codes[code]
	if p == nil {
		return notFound()
	}
	delete(s.manifests.codes, code) // single use, also when expired
	if !s.now().Before(p.expires) {
		return notFound()
	}
	return created(p.conv)
}

// parseManifest checks a posted manifest as GitHub's form does: JSON, a
// homepage url, and a webhook url when the webhook is active. It returns
// a problem, "" when none.
func parseManifest(raw string) (Manifest, string) {
	var m Manifest
	if strings.TrimSpace(raw) == "" {
		return m, "no manifest"
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return m, "the manifest is not valid JSON"
	}
	m.Raw = json.RawMessage(raw)
	if m.URL == "" {
		return m, "url is required"
	}
	if m.RedirectURL == "" {
		return m, "redirect_url is required"
	}
	if (m.HookAttributes.Active == nil || *m.HookAttributes.Active) && m.HookAttributes.URL == "" {
		return m, "hook_attributes.url is required for an active webhook"
	}
	if len(m.CallbackURLs) > 10 {
		return m, "at most 10 callback_urls"
	}
	for k, v := range m.DefaultPermissions {
		if v != "read" && v != "write" && v != "admin" {
			return m, fmt.Sprintf("default_permissions.%s: %q is not read, write or admin", k, v)
		}
	}
	return m, ""
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slugOf makes an App's slug from its name, as GitHub does.
func slugOf(name string) string {
	s := strings.Trim(notSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		return "app"
	}
	return s
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
