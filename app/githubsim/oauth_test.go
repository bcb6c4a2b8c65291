package githubsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// oauthSim is a simulator with a registered OAuth client and acme/app.
func oauthSim(t *testing.T, now *time.Time) (*Sim, *httptest.Server) {
	t.Helper()
	s := New(Options{Now: func() time.Time { return *now }})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	if err := s.CreateRepo("acme", "app", map[string]string{"README.md": "hi"}); err != nil {
		t.Fatal(err)
	}
	s.SetOAuthClient("Iv1.client", "secret", "http://zgate.test/auth/callback")
	return s, srv
}

// signIn walks the web flow as login and returns the access token answer.
func signIn(t *testing.T, srv *httptest.Server, login string) map[string]any {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := http.Get(srv.URL + "/login/oauth/authorize?client_id=Iv1.client&state=st4te&redirect_uri=" + url.QueryEscape("http://zgate.test/auth/callback"))
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %s", page.Status)
	}
	resp, err := noFollow.PostForm(srv.URL+"/login/oauth/authorize", url.Values{
		"client_id": {"Iv1.client"}, "redirect_uri": {"http://zgate.test/auth/callback"}, "state": {"st4te"}, "login": {login}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), "http://zgate.test/auth/callback?") {
		t.Fatalf("authorize = %s to %q, want 302 to the callback", resp.Status, resp.Header.Get("Location"))
	}
	if got := loc.Query().Get("state"); got != "st4te" {
		t.Errorf("state = %q, want st4te", got)
	}
	return tokenExchange(t, srv, url.Values{"client_id": {"Iv1.client"}, "client_secret": {"secret"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"http://zgate.test/auth/callback"}})
}

func tokenExchange(t *testing.T, srv *httptest.Server, v url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login/oauth/access_token", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("access_token: %s, %v", resp.Status, err)
	}
	return out
}

func getWithToken(t *testing.T, srv *httptest.Server, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v3"+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestOAuthWebFlowAndRepoVisibility(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	s, srv := oauthSim(t, &now)
	if err := s.CreateRepo("other", "lib", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCollaborator("acme", "app", "carol", false); err != nil {
		t.Fatal(err)
	}
	carol := signIn(t, srv, "carol")["access_token"].(string)
	mallory := signIn(t, srv, "mallory")["access_token"].(string)
	if !strings.HasPrefix(carol, "ghu_") {
		t.Errorf("access_token = %q, want a ghu_ token", carol)
	}
	for _, tc := range []struct {
		name, path, token string
		want              int
	}{
		{"collaborator reads the private repository", "/repos/acme/app", carol, 200},
		{"stranger gets 404 for the private repository", "/repos/acme/app", mallory, 404},
		{"missing repository is 404 too", "/repos/acme/nope", carol, 404},
		{"user token works on GET /user", "/user", carol, 200},
		{"user token is refused elsewhere", "/repos/acme/app/pulls", carol, 401},
		{"bad token", "/repos/acme/app", "ghu_nope", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := getWithToken(t, srv, tc.path, tc.token); got != tc.want {
				t.Errorf("GET %s = %d, want %d", tc.path, got, tc.want)
			}
		})
	}
	if err := s.SetVisibility("acme", "app", "public"); err != nil {
		t.Fatal(err)
	}
	if got := getWithToken(t, srv, "/repos/acme/app", mallory); got != 200 {
		t.Errorf("public repository for a stranger = %d, want 200", got)
	}
	if err := s.SetVisibility("acme", "app", "secret"); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetVisibility(secret) = %v, want ErrInvalid", err)
	}
	now = now.Add(userTokenTTL)
	if got := getWithToken(t, srv, "/repos/acme/app", carol); got != 401 {
		t.Errorf("expired user token = %d, want 401", got)
	}
}

func TestOAuthExchangeErrors(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	_, srv := oauthSim(t, &now)
	for _, tc := range []struct {
		name string
		v    url.Values
		want string
	}{
		{"wrong secret", url.Values{"client_id": {"Iv1.client"}, "client_secret": {"nope"}, "code": {"x"}}, "incorrect_client_credentials"},
		{"unknown code", url.Values{"client_id": {"Iv1.client"}, "client_secret": {"secret"}, "code": {"x"}}, "bad_verification_code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tokenExchange(t, srv, tc.v)["error"]; got != tc.want {
				t.Errorf("error = %v, want %s", got, tc.want)
			}
		})
	}
	resp, err := http.Get(srv.URL + "/login/oauth/authorize?client_id=other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("authorize with an unknown client = %s, want 404", resp.Status)
	}
}
