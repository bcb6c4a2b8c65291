package action

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// rig is the simulator with acme/payments and a workflow-token client.
type rig struct {
	t     testing.TB
	env   *ghclienttest.Env
	sim   *githubsim.Sim
	token string
	// lose, when set, makes the transport send a matching request but
	// answer it with a network error, as a connection cut after sending.
	lose    atomic.Pointer[string]
	summary bytes.Buffer
	ids     int
	// later, when set, is how far ahead of the wall clock runs are.
	later time.Duration
	// identity is Config.Identity of every run.
	identity string
}

// self is the creator GitHub shows for the statuses the rig's token writes.
const self = "zgate[bot]"

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newRig creates acme/payments with the policy file on main and the teams
// of the two-person rule: carol in sre and security, dave in security.
func newRig(t testing.TB, policyFile string) *rig {
	t.Helper()
	env := ghclienttest.New(t, nil)
	files := map[string]string{
		".github/CODEOWNERS":       readTestdata(t, "CODEOWNERS"),
		".github/zgate.yml":        readTestdata(t, policyFile),
		"deploy/prod/payments.yml": "replicas: 3\n",
		"docs/README.md":           "docs\n",
	}
	if err := env.Sim.CreateRepo("acme", "payments", files); err != nil {
		t.Fatal(err)
	}
	for _, tm := range [][2]string{{"sre", "carol"}, {"security", "carol"}, {"security", "dave"}, {"platform", "erin"}} {
		if err := env.Sim.AddTeamMember("acme", tm[0], tm[1], "active"); err != nil {
			t.Fatal(err)
		}
	}
	// The workflow's token: a real installation token from the
	// simulator's token exchange.
	app, err := env.Apps.App()
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := app.Apps.CreateInstallationToken(context.Background(), env.Sim.InstallationID("acme"), nil)
	if err != nil {
		t.Fatalf("token exchange: %v", err)
	}
	return &rig{t: t, env: env, sim: env.Sim, token: tok.GetToken(), identity: self}
}

// RoundTrip implements http.RoundTripper for the lossy transport.
func (r *rig) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if p := r.lose.Load(); p != nil && err == nil && req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, *p) {
		resp.Body.Close()
		return nil, fmt.Errorf("connection reset after sending %s", req.URL.Path)
	}
	return resp, err
}

func (r *rig) client() *github.Client {
	r.t.Helper()
	gh, err := ghclient.NewTokenClientConfig(ghclient.Config{
		BaseURL:   r.env.Server.URL + "/api/v3/",
		Transport: r,
		Retry:     ghclient.RetryPolicy{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }},
	}, ghclient.Token(r.token))
	if err != nil {
		r.t.Fatal(err)
	}
	return gh
}

// run runs the Action for an event.
func (r *rig) run(name string, payload any, dryRun bool) Result {
	r.t.Helper()
	var raw []byte
	if payload != nil {
		var err error
		if raw, err = json.Marshal(payload); err != nil {
			r.t.Fatal(err)
		}
	}
	r.ids++
	n := r.ids
	res, err := Run(context.Background(), Config{
		Client:     r.client(),
		Repository: "acme/payments",
		EventName:  name,
		Event:      raw,
		RunURL:     "https://github.example/acme/payments/actions/runs/77",
		DryRun:     dryRun,
		Summary:    &r.summary,
		NewID:      func() (string, error) { return fmt.Sprintf("run%d-test", n), nil },
		Now:        func() time.Time { return time.Now().Add(r.later) },
		Identity:   r.identity,
	})
	if err != nil {
		r.t.Fatalf("Run(%s): %v", name, err)
	}
	return res
}

// runPR runs the Action for a pull_request event on PR n.
func (r *rig) runPR(n int) Result {
	r.t.Helper()
	return r.run("pull_request", map[string]any{"action": "synchronize", "number": n, "pull_request": map[string]any{"number": n}}, false)
}

// openPR pushes a change to deploy/prod on branch and opens a PR by alice.
func (r *rig) openPR(branch string, files map[string]string) (int, string) {
	r.t.Helper()
	if files == nil {
		files = map[string]string{"deploy/prod/payments.yml": "replicas: 5\n"}
	}
	head, err := r.sim.Push("acme", "payments", branch, files, nil, "alice")
	if err != nil {
		r.t.Fatal(err)
	}
	n, err := r.sim.OpenPR("acme", "payments", githubsim.PROptions{Head: branch, Base: "main", Title: branch, Author: "alice"})
	if err != nil {
		r.t.Fatal(err)
	}
	return n, head
}

func (r *rig) approve(n int, users ...string) {
	r.t.Helper()
	for _, u := range users {
		if _, err := r.sim.SubmitReview("acme", "payments", n, u, "APPROVE", ""); err != nil {
			r.t.Fatal(err)
		}
	}
}

// statuses returns the newest "context state: description" per context on
// sha, sorted by context.
func (r *rig) statuses(sha string) map[string]string {
	out := map[string]string{}
	for _, s := range r.sim.Statuses("acme", "payments", sha) {
		out[s.Context] = s.State + ": " + s.Description
	}
	return out
}

// claim creates the claim ref of gate on sha for main, as a run would.
func (r *rig) claim(sha, gate string) {
	r.t.Helper()
	ref := ClaimRef(sha, gate, "main")
	if _, _, err := r.client().Git.CreateRef(context.Background(), "acme", "payments",
		&github.Reference{Ref: &ref, Object: &github.GitObject{SHA: &sha}}); err != nil {
		r.t.Fatal(err)
	}
}

// writes counts the statuses written on sha with context.
func (r *rig) writes(sha, context string) int {
	n := 0
	for _, s := range r.sim.Statuses("acme", "payments", sha) {
		if s.Context == context {
			n++
		}
	}
	return n
}

func (r *rig) pr(n int) githubsim.PRState {
	r.t.Helper()
	pr, err := r.sim.PullRequest("acme", "payments", n)
	if err != nil {
		r.t.Fatal(err)
	}
	return pr
}

// merges counts merge calls.
func (r *rig) merges() int {
	n := 0
	for route, c := range r.sim.Calls() {
		if strings.HasPrefix(route, "PUT ") && strings.HasSuffix(route, "/merge") {
			n += c
		}
	}
	return n
}
