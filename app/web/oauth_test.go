package web_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// visitor is a browser stand-in: a cookie jar that follows redirects.
type visitor struct {
	t  *testing.T
	hc *http.Client
}

func newVisitor(t *testing.T) *visitor {
	jar, err := cookiejar.New(nil)
	must(t, err)
	return &visitor{t: t, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (v *visitor) get(u string, accept string) (int, string) {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	must(v.t, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := v.hc.Do(req)
	must(v.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// signIn walks the web flow from a gate page's sign-in link as login, on
// the simulator's consent page, and returns the callback's answer (not
// followed) and where it sends the visitor.
func (v *visitor) signIn(r *rig, next, login string) *http.Response {
	v.t.Helper()
	resp, err := v.hc.Get(r.url + "/auth/login?next=" + url.QueryEscape(next))
	must(v.t, err)
	resp.Body.Close()
	consent := resp.Request.URL // the simulator's authorize page
	if resp.StatusCode != http.StatusOK || consent.Path != "/login/oauth/authorize" {
		v.t.Fatalf("sign-in landed on %s (%s), want the consent page", consent, resp.Status)
	}
	q := consent.Query()
	if q.Get("client_id") != oauthClientID || q.Get("redirect_uri") != r.url+"/auth/callback" || len(q.Get("state")) < 20 {
		v.t.Errorf("authorize parameters = %v, want the client id, the callback and a random state", q)
	}
	noFollow := *v.hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = noFollow.PostForm(r.simURL+"/login/oauth/authorize", url.Values{
		"client_id": {q.Get("client_id")}, "redirect_uri": {q.Get("redirect_uri")}, "state": {q.Get("state")}, "login": {login}})
	must(v.t, err)
	resp.Body.Close()
	resp, err = noFollow.Get(resp.Header.Get("Location"))
	must(v.t, err)
	resp.Body.Close()
	return resp
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "zgate_session" && c.Value != "" {
			return c
		}
	}
	return nil
}

func TestSignInShowsPrivatePageToCollaboratorsOnly(t *testing.T) {
	r := newRig(t)
	n, head := r.pendingPR()
	page := fmt.Sprintf("%s/gates/%s/%s/%d", r.url, owner, repoName, n)
	// serve with a public URL links every check run to the page.
	if c := r.waitCheck(head, func(githubsim.CheckRun) bool { return true }); c.DetailsURL != page {
		t.Errorf("check run details_url = %q, want %q", c.DetailsURL, page)
	}
	missing := fmt.Sprintf("%s/gates/%s/%s/%d", r.url, owner, "no-such-repo", n)

	anon := newVisitor(t)
	code, body := anon.get(page, "")
	if code != http.StatusUnauthorized || !strings.Contains(body, "Sign in with GitHub") {
		t.Fatalf("anonymous view of a private repository = %d, want 401 with the sign-in link:\n%s", code, body)
	}
	// The two differ only in the page the sign-in returns to.
	strip := func(u, body string) string { return strings.ReplaceAll(body, url.QueryEscape(u[len(r.url):]), "PAGE") }
	if code2, body2 := anon.get(missing, ""); code2 != code || strip(missing, body2) != strip(page, body) {
		t.Errorf("anonymous view of a missing repository = %d, differs from a private one's (%d): it would reveal existence", code2, code)
	}
	if code, body := anon.get(page, "application/json"); code != http.StatusUnauthorized || !strings.Contains(body, "sign_in_url") {
		t.Errorf("anonymous JSON = %d %s, want 401 with sign_in_url", code, body)
	}

	carol := newVisitor(t)
	cb := carol.signIn(r, page[len(r.url):], "carol")
	c := sessionCookie(cb)
	if cb.StatusCode != http.StatusSeeOther || cb.Header.Get("Location") != page[len(r.url):] || c == nil {
		t.Fatalf("callback = %s to %q with session %v, want 303 back to the page with a session", cb.Status, cb.Header.Get("Location"), c)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.MaxAge <= 0 || c.MaxAge > int((8*time.Hour).Seconds()) {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, not Secure on http, expiring within 8h", c)
	}
	code, body = carol.get(page, "")
	if code != http.StatusOK || !strings.Contains(body, "signed in as carol") || !strings.Contains(body, "@acme/security") {
		t.Fatalf("collaborator's view = %d, want 200 with the gate:\n%s", code, body)
	}
	code, body = carol.get(page, "application/json")
	var p map[string]any
	if code != http.StatusOK || json.Unmarshal([]byte(body), &p) != nil || p["repository"] != "acme/payments" {
		t.Errorf("collaborator's JSON = %d %s, want the page as JSON", code, body)
	}

	if code, _ := carol.get(fmt.Sprintf("%s/gates/%s/%s/999", r.url, owner, repoName), ""); code != http.StatusNotFound {
		t.Errorf("collaborator's view of a missing pull request = %d, want 404", code)
	}

	mallory := newVisitor(t)
	mallory.signIn(r, page[len(r.url):], "mallory")
	code, body = mallory.get(page, "")
	code2, body2 := mallory.get(missing, "")
	if code != http.StatusNotFound || code2 != http.StatusNotFound || body != body2 {
		t.Errorf("signed-in stranger: private repo %d, missing repo %d (bodies equal: %v), want the same 404", code, code2, body == body2)
	}
	if code, _ := mallory.get(page, "application/json"); code != http.StatusNotFound {
		t.Errorf("signed-in stranger's JSON = %d, want 404", code)
	}

	// The token never reaches a log, nor the store in clear.
	if strings.Contains(r.logs.String(), "ghu_") {
		t.Errorf("a user token was logged:\n%s", r.logs.String())
	}
	db, err := sql.Open("sqlite", strings.TrimPrefix(r.db, "sqlite:"))
	must(t, err)
	defer db.Close()
	rows, err := db.Query("SELECT login, token FROM web_sessions")
	must(t, err)
	defer rows.Close()
	sessions := 0
	for rows.Next() {
		var login string
		var tok []byte
		must(t, rows.Scan(&login, &tok))
		sessions++
		if strings.Contains(string(tok), "ghu_") {
			t.Errorf("session of %s stores the token in clear", login)
		}
	}
	if sessions != 2 {
		t.Errorf("sessions stored = %d, want 2 (carol, mallory)", sessions)
	}
}

func TestSignInStateMismatch(t *testing.T) {
	r := newRig(t)
	v := newVisitor(t)
	noFollow := *v.hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Get(r.url + "/auth/login?next=/gates/acme/payments/1")
	must(t, err)
	resp.Body.Close()
	authorize, err := url.Parse(resp.Header.Get("Location"))
	must(t, err)
	// A code the attacker got for their own account, with another state.
	resp, err = noFollow.PostForm(r.simURL+"/login/oauth/authorize", url.Values{
		"client_id": {oauthClientID}, "redirect_uri": {authorize.Query().Get("redirect_uri")}, "state": {"attacker-state"}, "login": {"mallory"}})
	must(t, err)
	resp.Body.Close()
	resp, err = noFollow.Get(resp.Header.Get("Location"))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || sessionCookie(resp) != nil {
		t.Errorf("callback with a foreign state = %s, session %v; want 400 and no session", resp.Status, sessionCookie(resp))
	}
	// No state cookie at all (a callback opened in another browser).
	resp, err = (&http.Client{CheckRedirect: noFollow.CheckRedirect}).Get(r.url + "/auth/callback?code=x&state=" + authorize.Query().Get("state"))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || sessionCookie(resp) != nil {
		t.Errorf("callback without the state cookie = %s, want 400 and no session", resp.Status)
	}
	// The redirect after sign-in never leaves zgate.
	resp, err = noFollow.Get(r.url + "/auth/login?next=" + url.QueryEscape("//evil.example/gates/x"))
	must(t, err)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "zgate_oauth" && strings.Contains(c.Value, "evil") {
			t.Errorf("sign-in kept the foreign next %q", c.Value)
		}
	}
}

func TestSessionExpires(t *testing.T) {
	r := newRig(t)
	n, _ := r.pendingPR()
	page := fmt.Sprintf("/gates/%s/%s/%d", owner, repoName, n)
	v := newVisitor(t)
	v.signIn(r, page, "carol")
	if code, _ := v.get(r.url+page, ""); code != http.StatusOK {
		t.Fatalf("fresh session: %d, want 200", code)
	}
	r.advance(8*time.Hour + time.Minute)
	if code, body := v.get(r.url+page, ""); code != http.StatusUnauthorized || !strings.Contains(body, "Sign in with GitHub") {
		t.Errorf("expired session: %d, want 401 asking to sign in again", code)
	}
}
