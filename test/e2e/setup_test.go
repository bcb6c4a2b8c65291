package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/appsetup/appsetuptest"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestSetupThenServe runs `zgate setup` against the simulator, drives its
// page with an HTTP client as a browser would (the manifest goes to the
// simulator's new-App form, which redirects back with the code), then
// starts `zgate serve` with nothing but the env file setup wrote and sees
// it authenticate as the new App: its check run appears on a pull request.
func TestSetupThenServe(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(t.TempDir(), "app")
	setup := exec.Command(binary, "setup", "--org", owner, "--public-url", "https://zgate.acme.example",
		"--dir", dir, "--github-url", w.simURL+"/api/v3/", "--github-web-url", w.simURL)
	stdout, err := setup.StdoutPipe()
	must(t, err)
	var stderr strings.Builder
	setup.Stderr = &stderr
	must(t, setup.Start())
	t.Cleanup(func() { _ = setup.Process.Kill(); _ = setup.Wait() })
	sc := bufio.NewScanner(stdout)
	var page string
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Open "); ok {
			page, _, _ = strings.Cut(rest, " ")
			break
		}
	}
	if page == "" {
		t.Fatalf("zgate setup printed no page URL; stderr %s", stderr.String())
	}
	var out strings.Builder
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(&out, stdout); close(copied) }()

	ctx, cancel := context.WithTimeout(t.Context(), waitFor)
	defer cancel()
	code, body, err := appsetuptest.Submit(ctx, httpClient, page)
	if err != nil || code != http.StatusOK {
		t.Fatalf("submit the setup page = %d, %v\n%s", code, err, body)
	}
	<-copied
	if err := setup.Wait(); err != nil {
		t.Fatalf("zgate setup: %v\nstdout %s\nstderr %s", err, out.String(), stderr.String())
	}
	if !strings.Contains(out.String(), "Registered the GitHub App zgate-acme") {
		t.Errorf("setup output = %q, want the App named", out.String())
	}

	m := w.sim.LastManifest()
	if m == nil || m.Owner != owner || m.HookAttributes.URL != "https://zgate.acme.example/webhook" ||
		len(m.CallbackURLs) != 1 || m.CallbackURLs[0] != "https://zgate.acme.example/auth/callback" {
		t.Fatalf("manifest = %+v, want acme's with the webhook and OAuth callback", m)
	}

	// Every file is the owner's alone.
	entries, err := os.ReadDir(dir)
	must(t, err)
	if len(entries) != 4 {
		t.Errorf("setup wrote %d files, want 4 (key, webhook secret, OAuth client secret, env file)", len(entries))
	}
	for _, e := range entries {
		fi, err := e.Info()
		must(t, err)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	envData, err := os.ReadFile(filepath.Join(dir, "zgate.env"))
	must(t, err)
	env := map[string]string{}
	for line := range strings.SplitSeq(string(envData), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	for _, k := range []string{"ZGATE_APP_ID", "ZGATE_PRIVATE_KEY", "ZGATE_WEBHOOK_SECRET_FILE", "ZGATE_OAUTH_CLIENT_ID", "ZGATE_OAUTH_CLIENT_SECRET_FILE", "ZGATE_GITHUB_URL"} {
		if env[k] == "" {
			t.Errorf("zgate.env lacks %s:\n%s", k, envData)
		}
	}

	// Setup again into the same directory refuses before registering.
	again := exec.Command(binary, "setup", "--org", owner, "--dir", dir, "--github-url", w.simURL+"/api/v3/", "--github-web-url", w.simURL)
	if b, err := again.CombinedOutput(); err == nil || !strings.Contains(string(b), "exists") {
		t.Errorf("setup into a used directory = %v, %s; want a refusal", err, b)
	}

	// zgate serve with only the env file (and where to listen and store).
	p := serveWithEnv(t, w, envData)
	w.sim.SetWebhookURL(p.url + "/webhook")
	_, head := w.openPR("setup", nil)
	w.waitCheck(head, "a check run by the new App", func(c githubsim.CheckRun) bool { return strings.Contains(c.Output.Title, "controls hold") })
}

// serveWithEnv starts zgate serve whose environment is the env file's
// lines, with a fresh port and the world's database.
func serveWithEnv(t *testing.T, w *world, envFile []byte) *proc {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--sweep-interval", "0", "--log-level", "debug")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "ZGATE_DATABASE=" + w.db}, strings.Split(strings.TrimSpace(string(envFile)), "\n")...)
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	p := &proc{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.logs = append(p.logs, sc.Text())
			p.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "zgate serving" {
				once.Do(func() { addr <- rec.Addr })
			}
		}
	}()
	go func() { p.exit = cmd.Wait(); close(p.done) }()
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
		t.Fatalf("zgate serve exited: %v\n%s", p.exit, strings.Join(p.logs, "\n"))
	case <-time.After(waitFor):
		t.Fatal("zgate serve did not start")
	}
	return p
}
