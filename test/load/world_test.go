package load

import (
	"bufio"
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

	"github.com/zgate-dev/zgate/app/githubsim"
)

const (
	owner, repoName = "acme", "payments"
	appID           = 4242
	secret          = "load-webhook-secret"
	gateCheck       = "zgate/production"
)

const codeowners = `*               @acme/platform
/deploy/prod/   @acme/sre @acme/security
`

// policyFile is the e2e policy: two approvals from the code owners'
// teams. The load's reviewers never reach it, so no pull request merges
// and each review changes the check run's count of approvals.
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

// world is the simulator with acme/payments and n open pull requests,
// PR i+1 on head heads[i], none yet seen by zgate.
type world struct {
	t      testing.TB
	sim    *githubsim.Sim
	simURL string
	obs    *observer
	heads  []string
	dir    string

	flipMu   sync.Mutex
	approved map[int]bool // carol's last review of a PR approved
}

func newWorld(t testing.TB, n int) *world {
	t.Helper()
	// GitHub delivers concurrently; one at a time would cap the rate at
	// one over zgate's answer time.
	const deliverers = 16
	w := &world{t: t, obs: newObserver(deliverers), dir: t.TempDir()}
	w.sim = githubsim.New(githubsim.Options{
		HTTPClient: &http.Client{Transport: w.obs, Timeout: 10 * time.Second},
		Deliverers: deliverers,
		// The benchmark counts calls itself; a limit would fail the
		// cold start of 1,000 pull requests.
		RateLimit: -1,
	})
	w.obs.sim = w.sim
	srv := httptest.NewServer(w.obs.wrap(w.sim.Handler()))
	t.Cleanup(srv.Close)
	w.simURL = srv.URL
	_, key := binary(t)
	w.sim.RegisterApp(appID, &key.PublicKey, "", secret)
	must(t, w.sim.CreateRepo(owner, repoName, map[string]string{
		".github/CODEOWNERS":       codeowners,
		".github/zgate.yml":        policyFile,
		"deploy/prod/payments.yml": "replicas: 3\n",
	}))
	for _, m := range [][2]string{{"sre", "carol"}, {"security", "carol"}, {"security", "dave"}, {"platform", "pat"}} {
		must(t, w.sim.AddTeamMember(owner, m[0], m[1], "active"))
	}
	must(t, w.sim.SetRequiredChecks(owner, repoName, "main", []string{gateCheck}))
	for i := range n {
		br := "change-" + strconv.Itoa(i)
		head, err := w.sim.Push(owner, repoName, br, map[string]string{"deploy/prod/" + br + ".yml": "replicas: 2\n"}, nil, "alice")
		must(t, err)
		num, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: br, Base: "main", Title: "Change " + br, Author: "alice"})
		must(t, err)
		if num != i+1 {
			t.Fatalf("PR number %d, want %d", num, i+1)
		}
		w.heads = append(w.heads, head)
		w.obs.prByHead[head] = num
	}
	return w
}

// proc is one running `zgate serve`.
type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}

	mu   sync.Mutex
	logs []string // the last lines
}

// serve starts `zgate serve` on database db with the sweep every sweep
// (it also sweeps at start: that is how the 1,000 pull requests reach it)
// and points the App's webhooks at it.
func (w *world) serve(db string, sweep time.Duration) *proc {
	t := w.t
	t.Helper()
	bin, key := binary(t)
	keyFile := filepath.Join(w.dir, "key.pem")
	secretFile := filepath.Join(w.dir, "secret")
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600))
	must(t, os.WriteFile(secretFile, []byte(secret+"\n"), 0o600))
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--private-key", keyFile,
		"--webhook-secret-file", secretFile, "--github-url", w.simURL+"/api/v3/",
		"--log-level", "info", "--sweep-interval", sweep.String(), "--workers", "4")
	cmd.Env = append(os.Environ(), fmt.Sprintf("ZGATE_APP_ID=%d", appID), "ZGATE_DATABASE="+db)
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
			if len(p.logs) > 200 {
				p.logs = p.logs[100:]
			}
			p.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "zgate serving" {
				addr <- rec.Addr
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("zgate serve, last logs:\n%s", strings.Join(p.logs, "\n"))
			p.mu.Unlock()
		}
	})
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-p.done:
		t.Fatalf("zgate serve exited before serving; logs:\n%s", strings.Join(p.logs, "\n"))
	case <-time.After(30 * time.Second):
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

// usage is what /proc says of the process.
type usage struct {
	cpu       time.Duration // user + system
	rss, peak int64         // bytes: VmRSS, VmHWM
}

// clockTick is USER_HZ, 100 on every Linux zgate runs on.
const clockTick = 10 * time.Millisecond

func (p *proc) usage(t testing.TB) usage {
	t.Helper()
	pid := p.cmd.Process.Pid
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	must(t, err)
	// Fields after the parenthesised command name; utime and stime are
	// fields 14 and 15 of the whole line.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	u := usage{cpu: time.Duration(ut+st) * clockTick}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	must(t, err)
	for _, line := range strings.Split(string(status), "\n") {
		k, v, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			u.rss = kb << 10
		case "VmHWM":
			u.peak = kb << 10
		}
	}
	return u
}

// metric sums the samples of one metric on zgate's /metrics page.
func (p *proc) metric(t testing.TB, name string) float64 {
	t.Helper()
	resp, err := http.Get(p.url + "/metrics")
	must(t, err)
	defer resp.Body.Close()
	var total float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		rest := line[len(name):]
		if rest == "" || (rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		fields := strings.Fields(rest[strings.LastIndexByte(rest, '}')+1:])
		if len(fields) > 0 {
			v, _ := strconv.ParseFloat(fields[0], 64)
			total += v
		}
	}
	return total
}

func (p *proc) evaluations(t testing.TB) float64 {
	return p.metric(t, "zgate_evaluation_seconds_count")
}

// settle waits until done holds and zgate's evaluation count has not
// moved for quiet, or fails after limit. (The queue-depth gauge is only
// refreshed every few seconds, too seldom to wait on.)
func (p *proc) settle(t testing.TB, done func() bool, quiet, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	last, since := -1.0, time.Now()
	for {
		n := p.evaluations(t)
		if n != last {
			last, since = n, time.Now()
		}
		if done() && time.Since(since) >= quiet {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled after %v: %v evaluations", limit, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
