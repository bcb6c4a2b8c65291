package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// The web application flow (GitHub's "Generating a user access token for
// a GitHub App"): /auth/login sends the visitor to GitHub's authorize page
// with a random state, kept in a short-lived cookie beside the page to
// return to; GitHub sends them back to /auth/callback with a code and the
// state; a matching state lets zgate exchange the code for a user access
// token, kept server-side in a session the cookie names.

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if h.cfg.OAuthClientID == "" {
		h.notFound(w, r, "")
		return
	}
	next := localPage(r.URL.Query().Get("next"))
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		h.fail(w, r, "", http.StatusInternalServerError, "Cannot start the sign-in.")
		return
	}
	state := base64.RawURLEncoding.EncodeToString(b[:])
	h.cookie(w, stateCookie, state+"|"+next, "/auth/", h.now().Add(stateTTL))
	u := h.web.JoinPath("login/oauth/authorize")
	u.RawQuery = url.Values{"client_id": {h.cfg.OAuthClientID}, "redirect_uri": {h.callbackURL()}, "state": {state}}.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (h *Handler) callbackURL() string { return h.cfg.PublicURL + "/auth/callback" }

// localPage returns next when it is a gate page of this server, "/gates/"
// otherwise: the sign-in never redirects elsewhere.
func localPage(next string) string {
	if !strings.HasPrefix(next, "/gates/") || strings.ContainsAny(next, "\\|\r\n") || strings.Contains(next, "//") {
		return "/gates/"
	}
	return next
}

func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if h.cfg.OAuthClientID == "" {
		h.notFound(w, r, "")
		return
	}
	q := r.URL.Query()
	c, err := r.Cookie(stateCookie)
	h.cookie(w, stateCookie, "", "/auth/", time.Time{}) // one use
	if err != nil {
		h.signInFailed(w, r, "the sign-in expired or was started in another browser")
		return
	}
	state, next, _ := strings.Cut(c.Value, "|")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(q.Get("state"))) != 1 {
		h.log.WarnContext(ctx, "details page: sign-in state mismatch")
		h.signInFailed(w, r, "the sign-in state does not match")
		return
	}
	if e := q.Get("error"); e != "" {
		h.signInFailed(w, r, "GitHub answered "+e)
		return
	}
	tok, expiresIn, err := h.exchange(ctx, q.Get("code"))
	if err != nil {
		h.log.WarnContext(ctx, "details page: token exchange failed", "err", err)
		h.signInFailed(w, r, "GitHub did not confirm the sign-in")
		return
	}
	login, err := h.userLogin(ctx, tok)
	if err != nil {
		h.log.WarnContext(ctx, "details page: cannot read the signed-in user", "err", err)
		h.signInFailed(w, r, "GitHub did not say who signed in")
		return
	}
	id, err := newSessionID()
	if err != nil {
		h.fail(w, r, "", http.StatusInternalServerError, "Cannot start a session.")
		return
	}
	sealed, err := sealToken(id, tok)
	if err != nil {
		h.fail(w, r, "", http.StatusInternalServerError, "Cannot start a session.")
		return
	}
	now := h.now()
	ttl := h.cfg.SessionTTL
	if expiresIn > 0 && expiresIn < ttl {
		ttl = expiresIn
	}
	ws := store.WebSession{IDHash: idHash(id), Login: login, Token: sealed, Created: now.UTC().Truncate(time.Microsecond), Expires: now.Add(ttl).UTC().Truncate(time.Microsecond)}
	if err := h.cfg.Store.CreateWebSession(ctx, ws); err != nil {
		h.log.ErrorContext(ctx, "details page: store session", "err", err)
		h.fail(w, r, "", http.StatusInternalServerError, "Cannot start a session.")
		return
	}
	h.log.InfoContext(ctx, "details page: signed in", "login", login, "expires", ws.Expires)
	h.cookie(w, sessionCookie, id, "/", ws.Expires)
	http.Redirect(w, r, localPage(next), http.StatusSeeOther)
}

func (h *Handler) signInFailed(w http.ResponseWriter, r *http.Request, why string) {
	h.fail(w, r, "", http.StatusBadRequest, "Sign-in failed: "+why+". Open the gate page again to retry.")
}

// exchange trades the code for a user access token.
func (h *Handler) exchange(ctx context.Context, code string) (secret, time.Duration, error) {
	if code == "" {
		return "", 0, errors.New("no code")
	}
	form := url.Values{"client_id": {h.cfg.OAuthClientID}, "client_secret": {h.cfg.OAuthClientSecret}, "code": {code}, "redirect_uri": {h.callbackURL()}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.web.JoinPath("login/oauth/access_token").String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := h.hc.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("token exchange: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&out); err != nil {
		return "", 0, fmt.Errorf("token exchange: %s: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || out.Error != "" || out.AccessToken == "" {
		return "", 0, fmt.Errorf("token exchange: %s: error %q", resp.Status, out.Error)
	}
	return secret(out.AccessToken), time.Duration(out.ExpiresIn) * time.Second, nil
}

// userLogin asks GitHub whose token tok is.
func (h *Handler) userLogin(ctx context.Context, tok secret) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.api.JoinPath("user").String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+string(tok))
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := h.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET /user: %w", err)
	}
	defer resp.Body.Close()
	var u struct {
		Login string `json:"login"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /user: %s", resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&u); err != nil || u.Login == "" {
		return "", fmt.Errorf("GET /user: no login: %v", err)
	}
	return u.Login, nil
}
