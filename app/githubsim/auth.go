package githubsim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// Token and JWT lifetimes GitHub enforces.
const (
	tokenTTL  = time.Hour
	maxJWTTTL = 10 * time.Minute
	jwtSkew   = time.Minute
	// DefaultRateLimit is the primary rate limit per installation per
	// hour: GitHub Enterprise Cloud's 15,000, so a benchmark of a
	// thousand PRs does not stall for an hour; see [Options].RateLimit.
	DefaultRateLimit = 15000
)

// installation is the App installed on one account, covering all its
// repositories.
type installation struct {
	id      int64
	account string
	created time.Time
	rate    rateBucket
}

// token is an installation access token.
type token struct {
	inst    int64
	expires time.Time
}

// rateBucket is GitHub's primary rate limit for one credential.
type rateBucket struct {
	limit int // <= 0: unlimited
	used  int
	reset time.Time
}

func (b *rateBucket) roll(now time.Time) {
	if now.After(b.reset) {
		b.used, b.reset = 0, now.Add(time.Hour).Truncate(time.Second)
	}
}

func (b *rateBucket) exhausted(now time.Time) bool {
	if b == nil {
		return false
	}
	b.roll(now)
	return b.limit > 0 && b.used >= b.limit
}

func (b *rateBucket) use(now time.Time) {
	b.roll(now)
	b.used++
}

func (b *rateBucket) setHeaders(h http.Header, now time.Time) {
	b.roll(now)
	limit := b.limit
	if limit <= 0 {
		limit = 1 << 30 // unlimited, but clients still get numbers
	}
	// The keys in canonical form, as Set would store them: Set
	// canonicalizes each (a copy per mixed-case key) on every answer.
	h["X-Ratelimit-Limit"] = []string{itoa(limit)}
	h["X-Ratelimit-Remaining"] = []string{itoa(max(0, limit-b.used))}
	h["X-Ratelimit-Used"] = []string{itoa(b.used)}
	h["X-Ratelimit-Reset"] = []string{itoa(b.reset.Unix())}
	h["X-Ratelimit-Resource"] = []string{"core"}
}

// errBadJWT wraps every reason a JWT is refused.
var errBadJWT = errors.New("githubsim: bad JWT")

// InstallationID returns the id of the App's installation on owner, or 0
// when there is none.
func (s *Sim) InstallationID(owner string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.instByOwner[strings.ToLower(owner)]
}

// ensureInstallation installs the App on owner. Callers hold s.mu.
func (s *Sim) ensureInstallation(owner string) *installation {
	if id, ok := s.instByOwner[strings.ToLower(owner)]; ok {
		return s.installations[id]
	}
	in := &installation{id: s.id(), account: owner, created: s.clock(), rate: rateBucket{limit: s.rateLimit}}
	s.installations[in.id] = in
	s.instByOwner[strings.ToLower(owner)] = in.id
	return in
}

// Install installs the App on owner (a no-op when it already is) and
// emits installation created; it returns the installation id.
func (s *Sim) Install(owner string) int64 {
	s.mu.Lock()
	if id, ok := s.instByOwner[lower(owner)]; ok {
		s.mu.Unlock()
		return id
	}
	in := s.ensureInstallation(owner)
	evs := []event{s.installationEvent(in, "created")}
	s.mu.Unlock()
	s.post(evs, true)
	return in.id
}

// Uninstall removes the App from owner: its tokens stop working (401),
// the token exchange answers 404, and installation deleted is delivered.
func (s *Sim) Uninstall(owner string) error {
	s.mu.Lock()
	id, ok := s.instByOwner[lower(owner)]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("installation on %s: %w", owner, ErrNotFound)
	}
	in := s.installations[id]
	evs := []event{s.installationEvent(in, "deleted")}
	delete(s.instByOwner, lower(owner))
	delete(s.installations, id)
	for tok, t := range s.tokens {
		if t.inst == id {
			delete(s.tokens, tok)
		}
	}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// installationEvent builds an installation webhook. Callers hold s.mu.
func (s *Sim) installationEvent(in *installation, action string) event {
	var repos []map[string]any
	for _, k := range sortedKeys(s.repos) {
		if r := s.repos[k]; strings.EqualFold(r.owner, in.account) {
			repos = append(repos, map[string]any{"id": r.id, "node_id": nodeID("R", r.id),
				"name": r.name, "full_name": r.fullName(), "private": true})
		}
	}
	inst := map[string]any{"id": in.id, "node_id": nodeID("I", in.id)}
	if s.app != nil {
		inst = s.installationObject(in)
	}
	return s.event("installation", nil, in.account, map[string]any{
		"action": action, "installation": inst, "repositories": nonNil(repos),
	})
}

func (q *request) installationID() int64 {
	if q.inst == nil {
		return 0
	}
	return q.inst.id
}

// authenticate checks the Authorization header for the route's kind.
// Callers hold s.mu.
func (s *Sim) authenticate(r *http.Request, kind authKind, q *request) (*rateBucket, *response) {
	if kind == authOptional && r.Header.Get("Authorization") == "" {
		return &s.rel.anon, nil
	}
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	scheme = strings.ToLower(scheme)
	if cred == "" {
		resp := apiError(http.StatusUnauthorized, "Requires authentication")
		return nil, &resp
	}
	if kind == authJWT {
		if scheme != "bearer" {
			resp := apiError(http.StatusUnauthorized, "A JSON web token could not be decoded")
			return nil, &resp
		}
		if err := s.verifyJWT(cred); err != nil {
			s.log.Debug("githubsim: JWT rejected", "err", err)
			resp := apiError(http.StatusUnauthorized, "A JSON web token could not be decoded")
			return nil, &resp
		}
		return &s.appBucket, nil
	}
	if scheme != "token" && scheme != "bearer" {
		resp := apiError(http.StatusUnauthorized, "Bad credentials")
		return nil, &resp
	}
	if u := s.userFor(cred); kind == authUser && u != nil {
		q.user = u.login
		return &u.rate, nil
	}
	t, found := s.tokens[cred]
	if !found || !s.now().Before(t.expires) {
		resp := apiError(http.StatusUnauthorized, "Bad credentials")
		return nil, &resp
	}
	in := s.installations[t.inst]
	if in == nil {
		resp := apiError(http.StatusUnauthorized, "Bad credentials")
		return nil, &resp
	}
	q.inst = in
	return &in.rate, nil
}

// verifyJWT checks an App JWT: RS256 by the registered key, iss = app
// id, not expired, issued at most a minute in the future, and living at
// most ten minutes. Callers hold s.mu.
func (s *Sim) verifyJWT(raw string) error {
	if s.app == nil || s.app.key == nil {
		return fmt.Errorf("%w: no app registered", errBadJWT)
	}
	claims := jwt.MapClaims{}
	p := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	if _, err := p.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.app.key, nil }); err != nil {
		return fmt.Errorf("%w: %w", errBadJWT, err)
	}
	iss, err := issuer(claims["iss"])
	if err != nil || iss != s.app.id {
		return fmt.Errorf("%w: issuer %v is not app %d", errBadJWT, claims["iss"], s.app.id)
	}
	iat, okI := claims["iat"].(float64)
	exp, okE := claims["exp"].(float64)
	if !okI || !okE {
		return fmt.Errorf("%w: iat and exp are required", errBadJWT)
	}
	now := s.now()
	issued, expires := time.Unix(int64(iat), 0), time.Unix(int64(exp), 0)
	switch {
	case !now.Before(expires):
		return fmt.Errorf("%w: expired at %s", errBadJWT, expires)
	case issued.After(now.Add(jwtSkew)):
		return fmt.Errorf("%w: issued in the future (%s)", errBadJWT, issued)
	case expires.Sub(issued) > maxJWTTTL:
		return fmt.Errorf("%w: lifetime %s exceeds 10m", errBadJWT, expires.Sub(issued))
	}
	return nil
}

func issuer(v any) (int64, error) {
	switch x := v.(type) {
	case string:
		return strconv.ParseInt(x, 10, 64)
	case float64:
		return int64(x), nil
	}
	return 0, fmt.Errorf("issuer of type %T", v)
}

// canSee reports whether the caller's installation covers owner.
func (q *request) canSee(owner string) bool {
	return q.inst != nil && strings.EqualFold(q.inst.account, owner)
}

func (s *Sim) appRoutes() {
	s.handle("GET /app", authJWT, s.getApp)
	s.handle("GET /app/installations", authJWT, s.listInstallations)
	s.handle("GET /app/installations/{installation_id}", authJWT, s.getInstallation)
	s.handle("POST /app/installations/{installation_id}/access_tokens", authJWT, s.createToken)
	s.handle("GET /repos/{owner}/{repo}/installation", authJWT, s.repoInstallation)
	s.handle("GET /orgs/{org}/installation", authJWT, s.orgInstallation)
}

func (s *Sim) appObject() map[string]any {
	a := s.app
	return map[string]any{
		"id": a.id, "slug": a.slug, "node_id": nodeID("A", a.id), "name": a.slug,
		"owner": s.user(a.slug + "-dev"), "description": "zgate (simulated)",
		"external_url": s.base, "html_url": s.base + "/apps/" + a.slug,
		"created_at": ts(a.created), "updated_at": ts(a.created),
		"permissions": permissions(),
		"events":      []string{"pull_request", "pull_request_review", "issue_comment", "check_run", "push", "membership", "workflow_run", "status"},
	}
}

// appJSON is appObject encoded, cached while the App, the simulator's
// address and its owner's user hold: every check run embeds it.
func (s *Sim) appJSON() encodedJSON {
	a := s.app
	key := s.userKey(a.slug + "-dev")
	if a.json.json != nil && a.json.key == key {
		return a.json.json
	}
	a.json = cachedJSON{json: mustEncode(s.appObject()), key: key}
	return a.json.json
}

func permissions() map[string]string {
	return map[string]string{"checks": "write", "contents": "write", "pull_requests": "write",
		"statuses": "write", "actions": "write", "members": "read", "metadata": "read", "attestations": "read"}
}

func (s *Sim) installationObject(in *installation) map[string]any {
	acct := s.user(in.account)
	return map[string]any{
		"id": in.id, "account": acct, "app_id": s.app.id, "app_slug": s.app.slug,
		"target_id": acct.ID, "target_type": acct.Type, "repository_selection": "all",
		"access_tokens_url": fmt.Sprintf("%s/app/installations/%d/access_tokens", s.api(), in.id),
		"repositories_url":  s.api() + "/installation/repositories",
		"html_url":          fmt.Sprintf("%s/settings/installations/%d", s.base, in.id),
		"permissions":       permissions(), "events": []string{},
		"created_at": ts(in.created), "updated_at": ts(in.created),
		"single_file_name": nil, "suspended_by": nil, "suspended_at": nil,
	}
}

func (s *Sim) getApp(q *request) response { return ok(s.appObject()) }

func (s *Sim) listInstallations(q *request) response {
	var all []map[string]any
	for _, id := range sortedKeys(s.installations) {
		all = append(all, s.installationObject(s.installations[id]))
	}
	resp := response{status: http.StatusOK}
	resp.body = pageOf(q, all, &resp)
	return resp
}

func (s *Sim) getInstallation(q *request) response {
	id, _ := strconv.ParseInt(q.path("installation_id"), 10, 64)
	in := s.installations[id]
	if in == nil {
		return notFound()
	}
	return ok(s.installationObject(in))
}

func (s *Sim) createToken(q *request) response {
	id, _ := strconv.ParseInt(q.path("installation_id"), 10, 64)
	in := s.installations[id]
	if in == nil {
		return notFound()
	}
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return apiError(http.StatusInternalServerError, "cannot mint token")
	}
	tok := "ghs_" + hex.EncodeToString(b[:])
	exp := s.clock().Add(tokenTTL)
	s.tokens[tok] = &token{inst: in.id, expires: exp}
	return created(map[string]any{
		"token": tok, "expires_at": ts(exp), "permissions": permissions(),
		"repository_selection": "all",
	})
}

func (s *Sim) repoInstallation(q *request) response {
	if s.repo(q.path("owner"), q.path("repo")) == nil {
		return notFound()
	}
	return ok(s.installationObject(s.installations[s.instByOwner[strings.ToLower(q.path("owner"))]]))
}

func (s *Sim) orgInstallation(q *request) response {
	id, found := s.instByOwner[strings.ToLower(q.path("org"))]
	if !found {
		return notFound()
	}
	return ok(s.installationObject(s.installations[id]))
}
