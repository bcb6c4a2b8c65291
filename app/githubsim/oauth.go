package githubsim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The web application flow of a GitHub App's user access tokens, as
// GitHub's "Generating a user access token for a GitHub App" describes it:
//
//	GET  /login/oauth/authorize?client_id=&redirect_uri=&state=   a consent page
//	POST /login/oauth/authorize   (the page's form: login)       -> 302 redirect_uri?code=&state=
//	POST /login/oauth/access_token {client_id, client_secret, code, redirect_uri}
//	     -> {access_token, expires_in, refresh_token, refresh_token_expires_in, token_type, scope}
//
// On GitHub the consent page is for the signed-in user; here the test
// types the login it signs in as. A user access token ("ghu_...") reads
// what both the user and the App can: GET /repos/{owner}/{repo} answers
// 200 for a repository of an account the App is installed on that is
// public, or of which the user is a collaborator (internal ones also to
// members of the owner's teams); 404 otherwise. GET /user says who the
// token is for. The access_token endpoint answers errors as GitHub does:
// 200 with {"error", "error_description", "error_uri"}.
//
// Control API:
//
//	POST /_sim/oauth-client   {client_id, client_secret, callback_url}
//	POST /_sim/visibility     {owner, repo, visibility}   (public, private, internal)
//	POST /_sim/collaborators  {owner, repo, user, remove}

// Lifetimes GitHub gives the web flow's codes and tokens.
const (
	oauthCodeTTL      = 10 * time.Minute
	userTokenTTL      = 8 * time.Hour
	refreshTokenTTL   = 184 * 24 * time.Hour
	userRateLimit     = 5000
	oauthErrorDocsURL = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
)

// oauthState is the simulator's OAuth and visibility state.
type oauthState struct {
	clientID, clientSecret, callbackURL string

	codes      map[string]*oauthCode
	userTokens map[string]*userToken
	// visibility and collaborators are per repoKey; a repository without
	// an entry is private, as every repository was before.
	visibility    map[string]string
	collaborators map[string]map[string]bool
}

type oauthCode struct {
	login, redirectURI string
	expires            time.Time
}

type userToken struct {
	login   string
	expires time.Time
	rate    rateBucket
}

// oauthOf returns the OAuth state, created on first use. Callers hold s.mu.
func (s *Sim) oauthOf() *oauthState {
	if s.oauth == nil {
		s.oauth = &oauthState{codes: map[string]*oauthCode{}, userTokens: map[string]*userToken{},
			visibility: map[string]string{}, collaborators: map[string]map[string]bool{}}
	}
	return s.oauth
}

// SetOAuthClient sets the App's client id and secret for the web flow;
// callbackURL, when not empty, is the registered callback URL that every
// redirect_uri must start with.
func (s *Sim) SetOAuthClient(clientID, clientSecret, callbackURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oauthOf()
	o.clientID, o.clientSecret, o.callbackURL = clientID, clientSecret, callbackURL
}

// SetVisibility makes a repository "public", "private" or "internal".
func (s *Sim) SetVisibility(owner, name, visibility string) error {
	switch visibility {
	case "public", "private", "internal":
	default:
		return fmt.Errorf("visibility %q: want public, private or internal: %w", visibility, ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, name)
	if r == nil {
		return fmt.Errorf("repository %s/%s: %w", owner, name, ErrNotFound)
	}
	s.oauthOf().visibility[repoKey(owner, name)] = visibility
	r.jsonValid = false // the cached repository object says private
	return nil
}

// SetCollaborator adds user to (or, with remove, removes from) the
// collaborators of owner/name.
func (s *Sim) SetCollaborator(owner, name, login string, remove bool) error {
	if login == "" {
		return fmt.Errorf("collaborator: user: %w", ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repo(owner, name) == nil {
		return fmt.Errorf("repository %s/%s: %w", owner, name, ErrNotFound)
	}
	o := s.oauthOf()
	k := repoKey(owner, name)
	if remove {
		delete(o.collaborators[k], lower(login))
		return nil
	}
	if o.collaborators[k] == nil {
		o.collaborators[k] = map[string]bool{}
	}
	o.collaborators[k][lower(login)] = true
	s.userID(login)
	return nil
}

// visibilityOf returns a repository's visibility. Callers hold s.mu.
func (s *Sim) visibilityOf(r *repo) string {
	if s.oauth != nil {
		if v := s.oauth.visibility[repoKey(r.owner, r.name)]; v != "" {
			return v
		}
	}
	return "private"
}

// userCanSee reports whether a user access token for login reads r: the
// App must be installed on its owner, and the user must see it. Callers
// hold s.mu.
func (s *Sim) userCanSee(login string, r *repo) bool {
	if _, installed := s.instByOwner[lower(r.owner)]; !installed {
		return false
	}
	switch s.visibilityOf(r) {
	case "public":
		return true
	case "internal":
		if s.orgMember(r.owner, login) {
			return true
		}
	}
	return lower(login) == lower(r.owner) || s.oauth != nil && s.oauth.collaborators[repoKey(r.owner, r.name)][lower(login)]
}

// orgMember reports whether login is an active member of a team of org.
// Callers hold s.mu.
func (s *Sim) orgMember(org, login string) bool {
	for _, t := range s.teams {
		if strings.EqualFold(t.org, org) && t.members[lower(login)] == "active" {
			return true
		}
	}
	return false
}

// userFor returns the user token cred names, if it is one and has not
// expired. Callers hold s.mu.
func (s *Sim) userFor(cred string) *userToken {
	if s.oauth == nil {
		return nil
	}
	t := s.oauth.userTokens[cred]
	if t == nil || !s.now().Before(t.expires) {
		return nil
	}
	return t
}

// visibleTo reports whether the caller of q reads r. Callers hold s.mu.
func (s *Sim) visibleTo(q *request, r *repo) bool {
	if q.user != "" {
		return s.userCanSee(q.user, r)
	}
	return q.canSee(r.owner)
}

func (s *Sim) oauthRoutes() {
	s.mux.HandleFunc("GET /login/oauth/authorize", s.authorizePage)
	s.mux.HandleFunc("POST /login/oauth/authorize", s.authorize)
	s.mux.HandleFunc("POST /login/oauth/access_token", s.accessToken)
	s.handle("GET /user", authUser, s.getAuthenticatedUser)

	post := func(path string, op func(c oauthCtl) error) {
		s.mux.HandleFunc("POST /_sim/"+path, func(w http.ResponseWriter, r *http.Request) {
			var c oauthCtl
			if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&c); err != nil && !errors.Is(err, io.EOF) {
				ctlReply(w, nil, fmt.Errorf("decode %s: %w: %w", path, ErrInvalid, err))
				return
			}
			ctlReply(w, nil, op(c))
		})
	}
	post("oauth-client", func(c oauthCtl) error {
		s.SetOAuthClient(c.ClientID, c.ClientSecret, c.CallbackURL)
		return nil
	})
	post("visibility", func(c oauthCtl) error { return s.SetVisibility(c.Owner, c.Repo, c.Visibility) })
	post("collaborators", func(c oauthCtl) error { return s.SetCollaborator(c.Owner, c.Repo, c.User, c.Remove) })
}

// oauthCtl are the fields of the OAuth control requests.
type oauthCtl struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	CallbackURL  string `json:"callback_url"`
	Owner        string `json:"owner"`
	Repo         string `json:"repo"`
	Visibility   string `json:"visibility"`
	User         string `json:"user"`
	Remove       bool   `json:"remove"`
}

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize application</title></head>
<body><main>
<h1>Authorize zgate</h1>
<p>The simulator's stand-in for GitHub's consent page: type the login to sign in as.</p>
<form method="post" action="/login/oauth/authorize">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<label for="login">Login</label> <input id="login" name="login" value="{{.Login}}" autocomplete="off">
<button id="authorize" type="submit">Authorize</button>
</form>
</main></body></html>
`))

// checkClient validates the authorize request's client and redirect.
// Callers hold s.mu.
func (s *Sim) checkClient(clientID, redirectURI string) error {
	o := s.oauth
	if o == nil || o.clientID == "" || clientID != o.clientID {
		return errors.New("unknown client_id")
	}
	if redirectURI == "" {
		redirectURI = o.callbackURL
	}
	u, err := url.Parse(redirectURI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("redirect_uri is not an absolute http(s) URL")
	}
	if o.callbackURL != "" && !strings.HasPrefix(redirectURI, o.callbackURL) {
		return errors.New("redirect_uri does not match the callback URL")
	}
	return nil
}

func (s *Sim) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	err := s.checkClient(q.Get("client_id"), q.Get("redirect_uri"))
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	consentPage.Execute(w, map[string]string{
		"ClientID": q.Get("client_id"), "RedirectURI": q.Get("redirect_uri"), "State": q.Get("state"), "Login": q.Get("login"),
	})
}

func (s *Sim) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	clientID, redirectURI, login := r.PostForm.Get("client_id"), r.PostForm.Get("redirect_uri"), strings.TrimSpace(r.PostForm.Get("login"))
	s.mu.Lock()
	err := s.checkClient(clientID, redirectURI)
	if err == nil && login == "" {
		err = errors.New("login is required")
	}
	if redirectURI == "" && s.oauth != nil {
		redirectURI = s.oauth.callbackURL
	}
	var code string
	if err == nil {
		code, err = randomHex("", 10)
	}
	if err == nil {
		s.userID(login)
		s.oauthOf().codes[code] = &oauthCode{login: login, redirectURI: r.PostForm.Get("redirect_uri"), expires: s.now().Add(oauthCodeTTL)}
	}
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	u, _ := url.Parse(redirectURI)
	v := u.Query()
	v.Set("code", code)
	if st := r.PostForm.Get("state"); st != "" {
		v.Set("state", st)
	}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// accessToken exchanges a code for a user access token. Parameters come
// as a form or JSON; the answer is JSON when asked for (Accept), a form
// otherwise, as GitHub does.
func (s *Sim) accessToken(w http.ResponseWriter, r *http.Request) {
	params := url.Values{}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]string
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, "Problems parsing JSON", http.StatusBadRequest)
			return
		}
		for k, v := range m {
			params.Set(k, v)
		}
	} else {
		params, _ = url.ParseQuery(string(body))
	}
	for k, v := range r.URL.Query() {
		if params.Get(k) == "" {
			params[k] = v
		}
	}
	s.mu.Lock()
	out := s.exchange(params)
	s.mu.Unlock()
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(out)
		return
	}
	v := url.Values{}
	for k, x := range out {
		v.Set(k, fmt.Sprint(x))
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	io.WriteString(w, v.Encode())
}

// exchange checks the client and the code and mints the tokens. Callers
// hold s.mu.
func (s *Sim) exchange(p url.Values) map[string]any {
	fail := func(code, desc, anchor string) map[string]any {
		return map[string]any{"error": code, "error_description": desc, "error_uri": oauthErrorDocsURL + "#" + anchor}
	}
	o := s.oauth
	if o == nil || o.clientID == "" || p.Get("client_id") != o.clientID ||
		subtle.ConstantTimeCompare([]byte(p.Get("client_secret")), []byte(o.clientSecret)) != 1 {
		return fail("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.", "incorrect-client-credentials")
	}
	c := o.codes[p.Get("code")]
	if c == nil || !s.now().Before(c.expires) {
		delete(o.codes, p.Get("code"))
		return fail("bad_verification_code", "The code passed is incorrect or expired.", "bad-verification-code")
	}
	if ru := p.Get("redirect_uri"); ru != "" && c.redirectURI != "" && ru != c.redirectURI {
		return fail("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.", "redirect-uri-mismatch")
	}
	delete(o.codes, p.Get("code")) // a code is good once
	tok, err := randomHex("ghu_", 18)
	if err != nil {
		return fail("server_error", err.Error(), "")
	}
	refresh, err := randomHex("ghr_", 30)
	if err != nil {
		return fail("server_error", err.Error(), "")
	}
	o.userTokens[tok] = &userToken{login: c.login, expires: s.now().Add(userTokenTTL), rate: rateBucket{limit: userRateLimit}}
	return map[string]any{
		"access_token": tok, "expires_in": int(userTokenTTL.Seconds()),
		"refresh_token": refresh, "refresh_token_expires_in": int(refreshTokenTTL.Seconds()),
		"token_type": "bearer", "scope": "",
	}
}

// getAuthenticatedUser is GET /user for a user access token.
func (s *Sim) getAuthenticatedUser(q *request) response {
	if q.user == "" {
		return apiError(http.StatusForbidden, "Resource not accessible by integration")
	}
	return ok(s.user(q.user))
}

func randomHex(prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return prefix + hex.EncodeToString(b), nil
}
