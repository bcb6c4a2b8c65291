package githubsim

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"
)

const (
	testAppID  = 42
	testSecret = "s3cret"
)

// hook is one webhook the test receiver got.
type hook struct {
	Event    string
	Delivery string
	Action   string
	Payload  map[string]any
}

// receiver is a fake App webhook endpoint that checks signatures.
type receiver struct {
	t      testing.TB
	mu     sync.Mutex
	hooks  []hook
	status int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !hmac.Equal([]byte(r.Header.Get("X-Hub-Signature-256")), []byte(Sign(testSecret, body))) {
		rc.t.Errorf("webhook %s: bad signature", r.Header.Get("X-GitHub-Event"))
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		rc.t.Errorf("webhook body: %v", err)
	}
	action, _ := p["action"].(string)
	rc.mu.Lock()
	rc.hooks = append(rc.hooks, hook{Event: r.Header.Get("X-GitHub-Event"), Delivery: r.Header.Get("X-GitHub-Delivery"), Action: action, Payload: p})
	status := rc.status
	rc.mu.Unlock()
	if status == 0 {
		status = http.StatusAccepted
	}
	w.WriteHeader(status)
}

// events returns "event.action" for each hook received so far.
func (rc *receiver) events() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, h := range rc.hooks {
		name := h.Event
		if h.Action != "" {
			name += "." + h.Action
		}
		out = append(out, name)
	}
	return out
}

func (rc *receiver) reset() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.hooks = nil
}

func (rc *receiver) last(event string) hook {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for i := len(rc.hooks) - 1; i >= 0; i-- {
		if rc.hooks[i].Event == event {
			return rc.hooks[i]
		}
	}
	rc.t.Fatalf("no %s webhook received", event)
	return hook{}
}

// env is a simulator on loopback with an App registered, one repository
// (acme/payments) and a go-github client authenticated as the App's
// installation through ghinstallation.
type env struct {
	sim    *Sim
	srv    *httptest.Server
	hooks  *receiver
	key    *rsa.PrivateKey
	keyPEM []byte
	gh     *github.Client
}

func loadKey(t testing.TB) ([]byte, *rsa.PrivateKey) {
	t.Helper()
	b, err := os.ReadFile("testdata/app-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return b, key
}

func newEnv(t testing.TB, o Options) *env {
	t.Helper()
	e := &env{hooks: &receiver{t: t}}
	e.keyPEM, e.key = loadKey(t)
	e.sim = New(o)
	e.srv = httptest.NewServer(e.sim.Handler())
	t.Cleanup(e.srv.Close)
	hs := httptest.NewServer(e.hooks)
	t.Cleanup(hs.Close)
	t.Cleanup(e.sim.WaitDeliveries)
	e.sim.RegisterApp(testAppID, &e.key.PublicKey, hs.URL+"/webhook", testSecret)
	if err := e.sim.CreateRepo("acme", "payments", map[string]string{
		"README.md":            "# payments\n",
		".github/CODEOWNERS":   "/deploy/prod/ @acme/sre @acme/security\n",
		"deploy/prod/app.yaml": "replicas: 2\n",
	}); err != nil {
		t.Fatal(err)
	}
	e.gh = e.client(t, e.sim.InstallationID("acme"))
	return e
}

// client is a go-github client for installation id, as the App builds it.
func (e *env) client(t testing.TB, id int64) *github.Client {
	t.Helper()
	itr, err := ghinstallation.New(http.DefaultTransport, testAppID, id, e.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	itr.BaseURL = e.srv.URL + "/api/v3"
	c, err := github.NewClient(&http.Client{Transport: itr}).WithEnterpriseURLs(e.srv.URL, e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// appClient authenticates with the App's JWT.
func (e *env) appClient(t testing.TB) *github.Client {
	t.Helper()
	atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, testAppID, e.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	atr.BaseURL = e.srv.URL + "/api/v3"
	c, err := github.NewClient(&http.Client{Transport: atr}).WithEnterpriseURLs(e.srv.URL, e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// openPR pushes files to a new branch and opens a pull request.
func (e *env) openPR(t testing.TB, branch string, files map[string]string) (int, string) {
	t.Helper()
	sha, err := e.sim.Push("acme", "payments", branch, files, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.sim.OpenPR("acme", "payments", PROptions{Head: branch, Title: "Scale up", Author: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	return n, sha
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func statusOf(resp *github.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}
