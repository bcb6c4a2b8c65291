package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestWebhookSecretRotation: zgate already has the new secret and keeps
// the previous one for the grace period, while GitHub (the simulator)
// still signs with the previous one: the PR flows and merges. A delivery
// signed with neither gets 401. Without the previous secret, GitHub's
// deliveries are refused.
func TestWebhookSecretRotation(t *testing.T) {
	w := newWorld(t)
	newSecret := filepath.Join(w.dir, "new-secret")
	oldSecret := filepath.Join(w.dir, "old-secret")
	must(t, os.WriteFile(newSecret, []byte("rotated-secret\n"), 0o600))
	must(t, os.WriteFile(oldSecret, []byte(secret+"\n"), 0o600))
	// The later --webhook-secret-file wins over the harness's.
	w.serveArgs = []string{"--webhook-secret-file", newSecret, "--webhook-secret-previous-file", oldSecret}
	p := w.serve()

	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitMerged(n)

	post := func(t *testing.T, url, delivery string, signer string) int {
		t.Helper()
		body := []byte(`{"action":"submitted","pull_request":{"number":1},"repository":{"name":"payments","owner":{"login":"acme"}},"installation":{"id":1}}`)
		req, _ := http.NewRequest(http.MethodPost, url+"/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "pull_request_review")
		req.Header.Set("X-GitHub-Delivery", delivery)
		req.Header.Set("X-Hub-Signature-256", githubsim.Sign(signer, body))
		resp, err := httpClient.Do(req)
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(t, p.url, "forged-during-grace", "guess"); got != http.StatusUnauthorized {
		t.Errorf("forged delivery during the grace period: status %d, want 401", got)
	}
	if got := post(t, p.url, "new-secret", "rotated-secret"); got/100 != 2 {
		t.Errorf("delivery signed with the new secret: status %d, want 2xx", got)
	}
	p.mu.Lock()
	logged := strings.Contains(strings.Join(p.logs, "\n"), "previous webhook secret")
	p.mu.Unlock()
	if !logged {
		t.Error("no log line says a delivery used the previous secret")
	}
	p.stop()

	// The grace period is over: only the new secret.
	w.serveArgs = []string{"--webhook-secret-file", newSecret}
	p = w.serve()
	if got := post(t, p.url, "old-after-grace", secret); got != http.StatusUnauthorized {
		t.Errorf("delivery signed with the previous secret after the grace: status %d, want 401", got)
	}
}

// TestHealthzAndBuildInfo: the binary shows its build on /healthz and as
// zgate_build_info, the same as `zgate version --json`.
func TestHealthzAndBuildInfo(t *testing.T) {
	w := newWorld(t)
	p := w.serve()
	out, err := execOutput(binary, "version", "--json")
	must(t, err)
	var want map[string]any
	must(t, json.Unmarshal(out, &want))
	resp, err := httpClient.Get(p.url + "/healthz")
	must(t, err)
	defer resp.Body.Close()
	var got map[string]any
	must(t, json.NewDecoder(resp.Body).Decode(&got))
	if got["status"] != "ok" {
		t.Errorf("/healthz status = %v, want ok", got["status"])
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("/healthz %s = %v, want %v (as zgate version --json)", k, got[k], v)
		}
	}
	series := `zgate_build_info{goversion="` + want["go_version"].(string) + `",revision="` + want["revision"].(string) + `",version="` + want["version"].(string) + `"} 1`
	if m := p.metrics(t); !strings.Contains(m, series) {
		t.Errorf("/metrics lacks %s", series)
	}
}

func execOutput(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).Output()
}
