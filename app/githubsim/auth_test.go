package githubsim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v62/github"
)

func TestJWT(t *testing.T) {
	e := newEnv(t, Options{})
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	must(t, err)
	now := time.Now()
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		must(t, err)
		return s
	}
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": strconv.Itoa(testAppID), "iat": now.Add(-30 * time.Second).Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	}
	with := func(k string, v any) jwt.MapClaims { c := good(); c[k] = v; return c }
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"valid", sign(jwt.SigningMethodRS256, e.key, good()), http.StatusOK},
		{"numeric iss", sign(jwt.SigningMethodRS256, e.key, with("iss", testAppID)), http.StatusOK},
		{"wrong key", sign(jwt.SigningMethodRS256, other, good()), http.StatusUnauthorized},
		{"wrong issuer", sign(jwt.SigningMethodRS256, e.key, with("iss", "7")), http.StatusUnauthorized},
		{"expired", sign(jwt.SigningMethodRS256, e.key, with("exp", now.Add(-time.Second).Unix())), http.StatusUnauthorized},
		{"lives over 10 minutes", sign(jwt.SigningMethodRS256, e.key, with("exp", now.Add(11*time.Minute).Unix())), http.StatusUnauthorized},
		{"issued in the future", sign(jwt.SigningMethodRS256, e.key, jwt.MapClaims{"iss": "42", "iat": now.Add(5 * time.Minute).Unix(), "exp": now.Add(9 * time.Minute).Unix()}), http.StatusUnauthorized},
		{"no iat", sign(jwt.SigningMethodRS256, e.key, jwt.MapClaims{"iss": "42", "exp": now.Add(time.Minute).Unix()}), http.StatusUnauthorized},
		{"HS256", sign(jwt.SigningMethodHS256, []byte("x"), good()), http.StatusUnauthorized},
		{"garbage", "not.a.jwt", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v3/app", nil)
			req.Header.Set("Authorization", "Bearer "+tc.token)
			resp, err := http.DefaultClient.Do(req)
			must(t, err)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET /app = %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestInstallationTokens(t *testing.T) {
	var offset atomic.Int64
	e := newEnv(t, Options{Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	must(t, e.sim.CreateRepo("other", "secret", map[string]string{"a": "b"}))
	ctx := context.Background()
	app := e.appClient(t)

	installs, _, err := app.Apps.ListInstallations(ctx, nil)
	must(t, err)
	if len(installs) != 2 {
		t.Fatalf("installations = %d, want 2 (acme, other)", len(installs))
	}
	tok, resp, err := app.Apps.CreateInstallationToken(ctx, e.sim.InstallationID("acme"), nil)
	must(t, err)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("token exchange = %d, want 201", resp.StatusCode)
	}
	if got := time.Until(tok.GetExpiresAt().Time); got < 59*time.Minute || got > time.Hour {
		t.Errorf("token expires in %v, want 1h", got)
	}
	c, err := github.NewClient(nil).WithAuthToken(tok.GetToken()).WithEnterpriseURLs(e.srv.URL, e.srv.URL)
	must(t, err)
	bad, err := github.NewClient(nil).WithAuthToken("ghs_nope").WithEnterpriseURLs(e.srv.URL, e.srv.URL)
	must(t, err)
	anon, err := github.NewClient(nil).WithEnterpriseURLs(e.srv.URL, e.srv.URL)
	must(t, err)

	tests := []struct {
		name   string
		client *github.Client
		owner  string
		repo   string
		after  time.Duration
		want   int
	}{
		{"own repo", c, "acme", "payments", 0, http.StatusOK},
		{"repo of another installation", c, "other", "secret", 0, http.StatusNotFound},
		{"missing repo", c, "acme", "nope", 0, http.StatusNotFound},
		{"unknown token", bad, "acme", "payments", 0, http.StatusUnauthorized},
		{"no token", anon, "acme", "payments", 0, http.StatusUnauthorized},
		{"JWT on a repo route", app, "acme", "payments", 0, http.StatusUnauthorized},
		{"expired token", c, "acme", "payments", 61 * time.Minute, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			offset.Store(int64(tc.after))
			defer offset.Store(0)
			_, resp, _ := tc.client.Repositories.Get(ctx, tc.owner, tc.repo)
			if got := statusOf(resp); got != tc.want {
				t.Errorf("GET /repos/%s/%s = %d, want %d", tc.owner, tc.repo, got, tc.want)
			}
		})
	}
	if _, resp, _ := c.Apps.Get(ctx, ""); statusOf(resp) != http.StatusUnauthorized {
		t.Errorf("GET /app with an installation token = %d, want 401", statusOf(resp))
	}
	inst, _, err := app.Apps.FindRepositoryInstallation(ctx, "acme", "payments")
	must(t, err)
	if inst.GetID() != e.sim.InstallationID("acme") {
		t.Errorf("repo installation = %d, want %d", inst.GetID(), e.sim.InstallationID("acme"))
	}
}

func TestRateLimitExhausted(t *testing.T) {
	e := newEnv(t, Options{RateLimit: 3})
	ctx := context.Background()
	var etag string
	for i := range 3 {
		_, resp, err := e.gh.Repositories.Get(ctx, "acme", "payments")
		must(t, err)
		if got, want := resp.Rate.Remaining, 2-i; got != want {
			t.Errorf("call %d: remaining = %d, want %d", i, got, want)
		}
		etag = resp.Header.Get("ETag")
	}
	req, err := e.gh.NewRequest(http.MethodGet, "repos/acme/payments", nil)
	must(t, err)
	req.Header.Set("If-None-Match", etag)
	resp, err := e.gh.Client().Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("conditional call past the limit = %d, want 403 (the limit is checked first)", resp.StatusCode)
	}
	_, r, err := e.gh.Repositories.Get(ctx, "acme", "payments")
	var rle *github.RateLimitError
	if statusOf(r) != http.StatusForbidden || !errors.As(err, &rle) {
		t.Errorf("call past the limit = %d, %v; want 403 RateLimitError", statusOf(r), err)
	}
}

func TestUninstall(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	if _, _, err := e.gh.Repositories.Get(ctx, "acme", "payments"); err != nil {
		t.Fatal(err)
	}
	id := e.sim.InstallationID("acme")
	e.hooks.reset()
	must(t, e.sim.Uninstall("acme"))
	if h := e.hooks.last("installation"); h.Action != "deleted" || int64(h.Payload["installation"].(map[string]any)["id"].(float64)) != id {
		t.Errorf("installation webhook = %s %v, want deleted %d", h.Action, h.Payload["installation"], id)
	}
	if _, resp, _ := e.gh.Repositories.Get(ctx, "acme", "payments"); statusOf(resp) != http.StatusUnauthorized {
		t.Errorf("token after uninstall = %d, want 401", statusOf(resp))
	}
	if _, resp, _ := e.appClient(t).Apps.CreateInstallationToken(ctx, id, nil); statusOf(resp) != http.StatusNotFound {
		t.Errorf("token exchange after uninstall = %d, want 404", statusOf(resp))
	}
	e.hooks.reset()
	_, err := e.sim.Push("acme", "payments", "main", map[string]string{"x": "1"}, nil, "alice")
	must(t, err)
	if got := e.hooks.events(); len(got) != 0 {
		t.Errorf("webhooks while uninstalled = %v, want none", got)
	}
	newID := e.sim.Install("acme")
	if newID == id || newID == 0 {
		t.Errorf("reinstall id = %d, want a new one (old %d)", newID, id)
	}
	if h := e.hooks.last("installation"); h.Action != "created" {
		t.Errorf("installation webhook = %s, want created", h.Action)
	}
	if _, _, err := e.client(t, newID).Repositories.Get(ctx, "acme", "payments"); err != nil {
		t.Errorf("new installation's token: %v", err)
	}
}
