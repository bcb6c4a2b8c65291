// Package ghclienttest wires the real [ghclient.Apps] to an in-process
// [githubsim.Sim] for tests: a fresh App key, the simulator behind
// httptest on 127.0.0.1, and clients that retry without sleeping.
package ghclienttest

import (
	"context"
	"crypto/rsa"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// AppID is the id the test App registers with.
const AppID = 4242

// Env is a simulator with the App registered and installed clients.
type Env struct {
	Sim     *githubsim.Sim
	Server  *httptest.Server
	Apps    *ghclient.Apps
	Counter *ghclient.Counter
	Key     *rsa.PrivateKey
}

// New starts a simulator and an [ghclient.Apps] talking to it. edit, when
// non-nil, adjusts the client configuration before [ghclient.New].
func New(t testing.TB, edit func(*ghclient.Config)) *Env {
	t.Helper()
	key, keyPEM, err := githubsim.NewAppKey()
	if err != nil {
		t.Fatal(err)
	}
	sim := githubsim.New(githubsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(sim.WaitDeliveries)
	sim.RegisterApp(AppID, &key.PublicKey, "", "")
	counter := &ghclient.Counter{}
	cfg := ghclient.Config{
		BaseURL:    srv.URL + "/api/v3/",
		AppID:      AppID,
		PrivateKey: keyPEM,
		Retry:      ghclient.RetryPolicy{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }},
		OnCall:     counter.Observe,
	}
	if edit != nil {
		edit(&cfg)
	}
	apps, err := ghclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Sim: sim, Server: srv, Apps: apps, Counter: counter, Key: key}
}

// Client returns the installation client for the App's installation on
// owner (create a repository of owner first).
func (e *Env) Client(t testing.TB, owner string) *github.Client {
	t.Helper()
	id := e.Sim.InstallationID(owner)
	if id == 0 {
		t.Fatalf("no installation on %s: create a repository first", owner)
	}
	gh, err := e.Apps.Installation(id)
	if err != nil {
		t.Fatal(err)
	}
	return gh
}
