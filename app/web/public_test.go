package web_test

import (
	"bufio"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// githubCalls reads zgate's /metrics: the GitHub calls that cost rate
// limit (any answer but 304), by "METHOD route".
func (r *rig) githubCalls(t *testing.T) map[string]float64 {
	t.Helper()
	resp, err := http.Get(r.url + "/metrics")
	must(t, err)
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "zgate_github_calls_total{") || strings.Contains(line, `code="304"`) {
			continue
		}
		labels, value, _ := strings.Cut(line, "} ")
		n, _ := strconv.ParseFloat(value, 64)
		out[labels] += n
	}
	return out
}

// TestPublicPageForAnyone: a public repository's page needs no sign-in,
// and a second view of an unchanged pull request costs nothing against
// the App's rate limit (only conditional requests answered 304).
func TestPublicPageForAnyone(t *testing.T) {
	r := newRig(t)
	must(t, r.sim.SetVisibility(owner, repoName, "public"))
	n, _ := r.pendingPR()
	page := fmt.Sprintf("%s/gates/%s/%s/%d", r.url, owner, repoName, n)
	v := newVisitor(t)
	code, body := v.get(page, "")
	if code != http.StatusOK || !strings.Contains(body, "@acme/security") || strings.Contains(body, "signed in as") {
		t.Fatalf("anonymous view of a public repository = %d, want the page:\n%s", code, body)
	}
	// Let the App finish its own evaluations first.
	before := r.githubCalls(t)
	for i := 0; i < 50; i++ {
		time.Sleep(200 * time.Millisecond)
		now := r.githubCalls(t)
		if maps.Equal(now, before) {
			break
		}
		before = now
	}
	if code, _ := v.get(page, "application/json"); code != http.StatusOK {
		t.Fatalf("second view = %d", code)
	}
	after := r.githubCalls(t)
	for k, n := range after {
		if n > before[k] {
			t.Errorf("a repeated view spent rate limit: %s went from %v to %v", k, before[k], n)
		}
	}
	// A private one is back to the sign-in page.
	must(t, r.sim.SetVisibility(owner, repoName, "private"))
	if code, _ := v.get(page, ""); code != http.StatusUnauthorized {
		t.Errorf("anonymous view after the repository went private = %d, want 401", code)
	}
}
