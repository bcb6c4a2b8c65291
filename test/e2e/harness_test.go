package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/store"
)

// binary is the zgate binary TestMain builds once for every test.
var binary string

// appKey is the App's RSA key, generated once (2048-bit keys take time).
var appKey *rsa.PrivateKey

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "zgate-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "zgate")
	out, err := exec.Command("go", "build", "-o", binary, "github.com/zgate-dev/zgate/cmd/zgate").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	if appKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	owner, repoName = "acme", "payments"
	gateCheck       = "zgate/production"
	// textCheck is the gate's check for pull requests into main, the one
	// whose text explains the decision; gateCheck, the legacy name, repeats
	// only its outcome (report.Content.Mirror).
	textCheck = gateCheck + ": main"
	appID     = 4242
	secret    = "e2e-webhook-secret"
	waitFor   = 20 * time.Second
	// httpTimeout bounds every HTTP exchange of the harness (webhook
	// deliveries, /metrics, forged posts), so a wedged server fails the
	// test at once instead of hanging until go test's timeout.
	httpTimeout = 10 * time.Second
)

// httpClient is the tests' client for talking to zgate serve.
var httpClient = &http.Client{Timeout: httpTimeout}

const codeowners = `*               @acme/platform
/deploy/prod/   @acme/sre @acme/security
`

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
    then:
      merge: {method: squash}
`

// world is one simulator, one store and the zgate processes serving it.
type world struct {
	t      testing.TB
	sim    *githubsim.Sim
	simURL string
	dir    string
	db     string

	mu   sync.Mutex
	hook func(w http.ResponseWriter, r *http.Request) bool
	// serveArgs are extra flags for `zgate serve`.
	serveArgs []string
	// merges counts, per PR number, the PUT .../merge calls the
	// simulator answered 200. The simulator shows a PR merged before its
	// answer is counted here: see waitMerged.
	merges map[int]int
}

// newWorld starts the simulator with acme/payments: CODEOWNERS, the policy,
// teams (carol in sre and security, dave in security) and branch
// protection requiring the gate's check.
func newWorld(t testing.TB) *world {
	t.Helper()
	return newWorldWith(t, policyFile)
}

// newWorldWith is newWorld with another policy on main.
func newWorldWith(t testing.TB, policy string) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir()}
	w.db = "sqlite:" + filepath.Join(w.dir, "zgate.db")
	opts := githubsim.Options{HTTPClient: &http.Client{Timeout: httpTimeout}}
	// ZGATE_SIM_RECORD=FILE appends every GitHub exchange of the run, so it
	// can be checked against GitHub's OpenAPI description.
	if path := os.Getenv("ZGATE_SIM_RECORD"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		must(t, err)
		t.Cleanup(func() { f.Close() })
		opts.Record = f
	}
	w.sim = githubsim.New(opts)
	srv := httptest.NewServer(http.HandlerFunc(w.serveSim))
	t.Cleanup(srv.Close)
	w.simURL = srv.URL
	w.sim.RegisterApp(appID, &appKey.PublicKey, "", secret)
	must(t, w.sim.CreateRepo(owner, repoName, map[string]string{
		".github/CODEOWNERS":       codeowners,
		".github/zgate.yml":        policy,
		"deploy/prod/payments.yml": "replicas: 3\n",
	}))
	for _, m := range [][2]string{{"sre", "carol"}, {"security", "carol"}, {"security", "dave"}, {"platform", "pat"}} {
		must(t, w.sim.AddTeamMember(owner, m[0], m[1], "active"))
	}
	must(t, w.sim.SetRequiredChecks(owner, repoName, "main", []string{gateCheck}))
	return w
}

// serveSim passes requests to the simulator, unless the test's hook takes
// them, and counts successful merges.
func (w *world) serveSim(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	hook := w.hook
	w.mu.Unlock()
	if hook != nil && hook(rw, r) {
		return
	}
	rec := &statusRecorder{ResponseWriter: rw}
	w.sim.Handler().ServeHTTP(rec, r)
	if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/merge") && rec.status == http.StatusOK {
		// .../pulls/{number}/merge
		parts := strings.Split(r.URL.Path, "/")
		n, _ := strconv.Atoi(parts[len(parts)-2])
		w.mu.Lock()
		if w.merges == nil {
			w.merges = map[int]int{}
		}
		w.merges[n]++
		w.mu.Unlock()
	}
}

func (w *world) setHook(h func(http.ResponseWriter, *http.Request) bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hook = h
}

// mergeCount returns how many merges the simulator answered 200, of any
// pull request.
func (w *world) mergeCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	total := 0
	for _, c := range w.merges {
		total += c
	}
	return total
}

// mergesOf returns how many merges of PR n the simulator answered 200.
func (w *world) mergesOf(n int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.merges[n]
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// proc is one running `zgate serve`.
type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	// exit is cmd.Wait's error, set when done is closed.
	exit error

	mu   sync.Mutex
	logs []string
}

// serve starts `zgate serve` on 127.0.0.1 with a fresh port and points the
// App's webhooks at it.
func (w *world) serve() *proc {
	t := w.t
	t.Helper()
	keyFile := filepath.Join(w.dir, "key.pem")
	secretFile := filepath.Join(w.dir, "secret")
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(appKey)}), 0o600))
	must(t, os.WriteFile(secretFile, []byte(secret+"\n"), 0o600))
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--private-key", keyFile,
		"--webhook-secret-file", secretFile, "--github-url", w.simURL+"/api/v3/",
		"--log-level", "debug", "--sweep-interval", "0", "--job-lease", "5s", "--workers", "2")
	cmd.Args = append(cmd.Args, w.serveArgs...)
	cmd.Env = append(os.Environ(), fmt.Sprintf("ZGATE_APP_ID=%d", appID), "ZGATE_DATABASE="+w.db)
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	p := &proc{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs = append(p.logs, line)
			p.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "zgate serving" {
				addr <- rec.Addr
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() {
		p.exit = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("zgate serve logs:\n%s", strings.Join(p.logs, "\n"))
			p.mu.Unlock()
		}
	})
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-p.done:
		t.Fatalf("zgate serve exited before serving; logs:\n%s", strings.Join(p.logs, "\n"))
	case <-time.After(waitFor):
		t.Fatal("zgate serve did not start")
	}
	w.sim.SetWebhookURL(p.url + "/webhook")
	return p
}

// stop sends SIGTERM and waits for a graceful exit.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// metrics returns the server's /metrics page.
func (p *proc) metrics(t testing.TB) string {
	t.Helper()
	resp, err := httpClient.Get(p.url + "/metrics")
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return string(b)
}

// kill9 kills the process without letting it clean up.
func (p *proc) kill9() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// openPR pushes a branch changing the production manifest and opens a PR.
func (w *world) openPR(branch string, files map[string]string) (int, string) {
	w.t.Helper()
	if files == nil {
		files = map[string]string{"deploy/prod/payments.yml": "replicas: 5\n"}
	}
	head, err := w.sim.Push(owner, repoName, branch, files, nil, "alice")
	must(w.t, err)
	n, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: branch, Base: "main", Title: "Change " + branch, Author: "alice"})
	must(w.t, err)
	return n, head
}

func (w *world) approve(n int, user string) {
	w.t.Helper()
	_, err := w.sim.SubmitReview(owner, repoName, n, user, "APPROVE", "ok")
	must(w.t, err)
}

// waitCheck waits until the gate's check run on sha (textCheck, for a
// pull request into main) satisfies ok.
func (w *world) waitCheck(sha, what string, ok func(githubsim.CheckRun) bool) githubsim.CheckRun {
	w.t.Helper()
	deadline := time.Now().Add(waitFor)
	var last githubsim.CheckRun
	for time.Now().Before(deadline) {
		for _, c := range w.sim.CheckRuns(owner, repoName, sha) {
			if c.Name == textCheck {
				last = c
				if ok(c) {
					return c
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.t.Fatalf("check %s on %s: want %s within %v; last %s/%s %q", textCheck, sha[:7], what, waitFor, last.Status, last.Conclusion, last.Output.Title)
	return last
}

// pendingWith waits for a pending check whose title says n controls hold.
func (w *world) pendingWith(sha string, n int) githubsim.CheckRun {
	w.t.Helper()
	want := fmt.Sprintf("%d of 2 controls hold", n)
	return w.waitCheck(sha, "pending with "+want, func(c githubsim.CheckRun) bool {
		return c.Status == "in_progress" && strings.Contains(c.Output.Title, want)
	})
}

// waitMerged waits until PR n is merged and the simulator's answer to the
// merge call has been counted (it merges before it answers), so that
// mergeCount includes it.
func (w *world) waitMerged(n int) githubsim.PRState {
	w.t.Helper()
	deadline := time.Now().Add(waitFor)
	var pr githubsim.PRState
	for time.Now().Before(deadline) {
		var err error
		pr, err = w.sim.PullRequest(owner, repoName, n)
		must(w.t, err)
		if pr.Merged && w.mergesOf(n) > 0 {
			return pr
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.t.Fatalf("PR #%d was not merged within %v; last state %+v, merges answered %d", n, waitFor, pr, w.mergeCount())
	return githubsim.PRState{}
}

func (w *world) assertNotMerged(n int) {
	w.t.Helper()
	pr, err := w.sim.PullRequest(owner, repoName, n)
	must(w.t, err)
	if pr.Merged {
		w.t.Fatalf("PR #%d merged; the gate never had its quorum", n)
	}
}

// auditRecords stops nothing: SQLite allows a second reader.
func (w *world) auditRecords() []store.AuditRecord {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	st, err := store.Open(ctx, w.db)
	must(w.t, err)
	defer st.Close()
	recs, err := st.AuditRecords(ctx, 0, 10000)
	must(w.t, err)
	if _, err := audit.Verify(ctx, st); err != nil {
		w.t.Errorf("audit chain: %v", err)
	}
	return recs
}

// waitAudit waits until the audit log holds n records of kind (see
// auditKinds), reading through one connection so that polling does not
// compete with the server for SQLite's write lock.
func (w *world) waitAudit(kind string, n int) {
	w.t.Helper()
	// The store calls get their own bound: the poll below only checks
	// the deadline between them.
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitFor)
	defer cancel()
	st, err := store.Open(ctx, w.db)
	must(w.t, err)
	defer st.Close()
	deadline := time.Now().Add(waitFor)
	for {
		recs, err := st.AuditRecords(ctx, 0, 10000)
		must(w.t, err)
		if auditKinds(recs)[kind] >= n {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("audit log after %v: %d %s records, want %d; kinds %v", waitFor, auditKinds(recs)[kind], kind, n, auditKinds(recs))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// auditKinds counts records by kind, and executions by status.
func auditKinds(recs []store.AuditRecord) map[string]int {
	out := map[string]int{}
	for _, r := range recs {
		out[r.Kind]++
		if r.Kind == audit.KindExecution {
			var d struct{ Status string }
			_ = json.Unmarshal(r.Data, &d)
			out[r.Kind+":"+d.Status]++
		}
	}
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// crashDuringZ approves PR n by carol and dave, holds the App's first
// method call to a path ending in suffix (the Z), kill -9s the App while
// that call is in flight, then lets the call go through to the simulator
// (goesThrough) or answers it with a lost connection. A second such call
// is reported through onRepeat.
func (w *world) crashDuringZ(p *proc, n int, method, suffix string, goesThrough bool, onRepeat func(path string)) {
	w.t.Helper()
	reached := make(chan struct{})
	release := make(chan struct{})
	var first sync.Once
	w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
		if r.Method != method || !strings.HasSuffix(r.URL.Path, suffix) {
			return false
		}
		isFirst := false
		first.Do(func() { isFirst = true })
		if !isFirst {
			if onRepeat != nil {
				onRepeat(r.URL.Path)
			}
			return false
		}
		close(reached)
		<-release
		if goesThrough {
			return false // the simulator acts; the answer goes nowhere
		}
		http.Error(rw, "connection lost", http.StatusBadGateway)
		return true
	})
	w.approve(n, "carol")
	w.approve(n, "dave")
	select {
	case <-reached:
	case <-time.After(waitFor):
		w.t.Fatalf("the App never called %s …%s", method, suffix)
	}
	p.kill9()
	close(release)
}
