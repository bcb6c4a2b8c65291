package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/githubsim"
)

const (
	owner, repoName = "acme", "payments"
	appID           = 4711
	webhookSecret   = "web-test-secret"
	oauthClientID   = "Iv1.zgatetest"
	oauthSecret     = "oauth-test-secret"
	waitFor         = 20 * time.Second
)

const codeowners = `*               @acme/platform
/deploy/prod/   @acme/sre @acme/security
`

// policyFile gates deploy/prod on two teams within 24h, with an override
// by two incident commanders, then merges.
const policyFile = `version: 1
gates:
  - name: production
    if:
      base: [main]
      paths: ["deploy/prod/**"]
    controls:
      teams:
        from: codeowners
        fresh: head
    quorum: 2
    window: 24h
    override:
      teams: ["@acme/incident"]
      approvals: 2
    then:
      merge: {method: squash}
`

var (
	keyOnce sync.Once
	appKey  *rsa.PrivateKey
)

func key(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		var err error
		if appKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return appKey
}

// syncBuffer is a log sink safe for the App's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// rig is the simulator and an in-process `zgate serve` (app.Run) with a
// public URL and the App's OAuth credentials.
type rig struct {
	t      testing.TB
	sim    *githubsim.Sim
	simURL string
	url    string // zgate's public URL
	db     string
	logs   *syncBuffer

	mu     sync.Mutex
	offset time.Duration // added to zgate's clock
}

// newRig starts both: acme/payments (private) with the policy, teams sre
// (carol), security (dave, the author alice, a bot), incident (erin, frank), and
// the collaborators alice, carol, dave, erin, frank.
func newRig(t testing.TB) *rig {
	t.Helper()
	r := &rig{t: t, logs: &syncBuffer{}}
	r.sim = githubsim.New(githubsim.Options{HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	simSrv := httptest.NewServer(r.sim.Handler())
	t.Cleanup(simSrv.Close)
	r.simURL = simSrv.URL
	must(t, r.sim.CreateRepo(owner, repoName, map[string]string{
		".github/CODEOWNERS": codeowners, ".github/zgate.yml": policyFile, "deploy/prod/payments.yml": "replicas: 3\n",
	}))
	for team, members := range map[string][]string{"sre": {"carol"}, "security": {"dave", "alice", "renovate[bot]"}, "incident": {"erin", "frank"}, "platform": {"gina"}} {
		for _, m := range members {
			must(t, r.sim.AddTeamMember(owner, team, m, "active"))
		}
	}
	for _, u := range []string{"alice", "carol", "dave", "erin", "frank"} {
		must(t, r.sim.SetCollaborator(owner, repoName, u, false))
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	r.url = "http://" + ln.Addr().String()
	r.sim.RegisterApp(appID, &key(t).PublicKey, r.url+"/webhook", webhookSecret)
	r.sim.SetOAuthClient(oauthClientID, oauthSecret, r.url+"/auth/callback")
	r.db = "sqlite:" + filepath.Join(t.TempDir(), "zgate.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, app.Options{
			Listener: ln, AppID: appID,
			PrivateKey:    pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key(t))}),
			WebhookSecret: app.Secret(webhookSecret), GitHubURL: r.simURL + "/api/v3/", Database: r.db,
			Now: r.now, QueuePoll: 50 * time.Millisecond, Workers: 2, BotLogin: "zgate[bot]",
			Logger: slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Web:    app.WebOptions{PublicURL: r.url, OAuthClientID: oauthClientID, OAuthClientSecret: app.Secret(oauthSecret)},
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("app.Run: %v", err)
		}
	})
	r.waitHTTP("/healthz")
	return r
}

func (r *rig) waitHTTP(path string) {
	r.t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		resp, err := http.Get(r.url + path)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("zgate did not serve %s in %s", path, waitFor)
}

// openPR pushes a change to deploy/prod on branch and opens a pull
// request by alice; it returns the number and head.
func (r *rig) openPR(branch string) (int, string) {
	r.t.Helper()
	sha, err := r.sim.Push(owner, repoName, branch, map[string]string{"deploy/prod/payments.yml": "replicas: 4 # " + branch + "\n"}, nil, "alice")
	must(r.t, err)
	n, err := r.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: branch, Base: "main", Title: "Scale payments (" + branch + ")", Author: "alice"})
	must(r.t, err)
	return n, sha
}

// waitCheck waits for zgate's check on sha to satisfy ok.
func (r *rig) waitCheck(sha string, ok func(githubsim.CheckRun) bool) githubsim.CheckRun {
	r.t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		for _, c := range r.sim.CheckRuns(owner, repoName, sha) {
			if strings.HasPrefix(c.Name, "zgate/production") && ok(c) {
				return c
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("no zgate check on %s as wanted in %s: %+v", sha, waitFor, r.sim.CheckRuns(owner, repoName, sha))
	return githubsim.CheckRun{}
}

func (r *rig) waitMerged(n int) {
	r.t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if pr, err := r.sim.PullRequest(owner, repoName, n); err == nil && pr.Merged {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("PR #%d not merged in %s", n, waitFor)
}

// nextSecond sleeps into the next wall-clock second: an override made in
// the second zgate first saw the head does not count.
func nextSecond() {
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second + 50*time.Millisecond).Sub(now))
}

// pendingPR opens a pull request carol (sre) approves: one team held,
// security still missing with dave as its only candidate.
func (r *rig) pendingPR() (int, string) {
	r.t.Helper()
	n, head := r.openPR("scale")
	r.waitCheck(head, func(c githubsim.CheckRun) bool { return true })
	_, err := r.sim.SubmitReview(owner, repoName, n, "carol", "APPROVE", "lgtm")
	must(r.t, err)
	r.waitCheck(head, func(c githubsim.CheckRun) bool { return strings.Contains(c.Output.Summary, "carol") })
	return n, head
}

// overriddenPR opens a pull request that erin and frank override; zgate
// merges it.
func (r *rig) overriddenPR() (int, string) {
	r.t.Helper()
	n, head := r.openPR("hotfix")
	r.waitCheck(head, func(c githubsim.CheckRun) bool { return true })
	nextSecond()
	for _, u := range []string{"erin", "frank"} {
		_, err := r.sim.Comment(owner, repoName, n, u, "/zgate override payments down, rollback by "+u)
		must(r.t, err)
	}
	r.waitMerged(n)
	r.waitCheck(head, func(c githubsim.CheckRun) bool { return strings.Contains(c.Output.Summary, "merged") })
	return n, head
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// advance moves zgate's clock (not the simulator's) forward by d.
func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.offset += d
}

func (r *rig) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Now().Add(r.offset)
}
