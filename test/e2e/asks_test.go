package e2e

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const requestsRoute = "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"

// waitUntil polls cond until it holds or waitFor passes.
func (w *world) waitUntil(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.t.Fatalf("waited %v for %s", waitFor, what)
}

func (w *world) requestedTeams(n int) []string {
	w.t.Helper()
	got, err := w.sim.RequestedTeams(owner, repoName, n)
	must(w.t, err)
	return got
}

// recheck comments /zgate recheck as bob and waits for zgate's reaction:
// every delivery before it has been evaluated by then (jobs of a pull
// request run in order).
func (w *world) recheck(n int) {
	w.t.Helper()
	id, err := w.sim.Comment(owner, repoName, n, "bob", "/zgate recheck")
	must(w.t, err)
	w.waitUntil("the reaction to /zgate recheck", func() bool {
		rs, err := w.sim.CommentReactions(owner, repoName, id)
		return err == nil && len(rs) == 1 && rs[0].Content == "+1" && rs[0].User == "zgate[bot]"
	})
}

// botComments are the bodies of zgate's comments on pull request n.
func (w *world) botComments(n int) []string {
	w.t.Helper()
	cs, err := w.sim.IssueComments(owner, repoName, n)
	must(w.t, err)
	var out []string
	for _, c := range cs {
		if c.User == "zgate[bot]" {
			out = append(out, c.Body)
		}
	}
	return out
}

// TestReviewRequestsAndCommands drives review requests and PR commands
// through webhooks into the real binary: each missing team asked once,
// a request a person removed never made again, not even after a restart;
// /zgate recheck, explain and unknown commands answered once each; bots,
// edits and zgate's own comments ignored.
func TestReviewRequestsAndCommands(t *testing.T) {
	w := newWorldWith(t, strings.Replace(policyFile, "    window: 24h\n", "    window: 24h\n    request_reviews: teams\n", 1))
	p := w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	w.waitUntil("review requests to sre and security", func() bool {
		return slices.Equal(w.requestedTeams(n), []string{"acme/security", "acme/sre"})
	})

	// A person removes sre's request: zgate must not ask again.
	must(t, w.sim.RemoveTeamReviewRequest(owner, repoName, n, "sre", "pat"))
	w.recheck(n)
	if got := w.requestedTeams(n); !slices.Equal(got, []string{"acme/security"}) {
		t.Errorf("requested teams after the removal = %v, want only acme/security", got)
	}

	// Commands: answered, or ignored from bots and in edits.
	_, err := w.sim.Comment(owner, repoName, n, "bob", "/zgate explain")
	must(t, err)
	_, err = w.sim.Comment(owner, repoName, n, "bob", "/zgate shipit")
	must(t, err)
	_, err = w.sim.Comment(owner, repoName, n, "renovate[bot]", "/zgate explain")
	must(t, err)
	plain, err := w.sim.Comment(owner, repoName, n, "bob", "hello")
	must(t, err)
	must(t, w.sim.EditComment(owner, repoName, plain, "bob", "/zgate explain"))
	w.recheck(n)
	got := w.botComments(n)
	if len(got) != 2 || !strings.Contains(got[0], "### zgate/production:") || !strings.Contains(got[1], "Unknown command `/zgate shipit`") {
		t.Fatalf("zgate's comments = %q, want the explanation then the help, nothing for the bot or the edit", got)
	}
	if !strings.Contains(got[1], "/zgate override <reason>") || !strings.Contains(got[1], "/zgate recheck") {
		t.Errorf("help = %q, want every command listed", got[1])
	}

	// After a restart and a push, still nobody is asked twice.
	p.stop()
	w.serve()
	head2, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 7\n"}, nil, "alice")
	must(t, err)
	w.pendingWith(head2, 0)
	w.recheck(n)
	if c := w.sim.Calls()[requestsRoute]; c != 2 {
		t.Errorf("%d review requests made, want 2 (one per team, ever)", c)
	}
	if got := w.botComments(n); len(got) != 2 {
		t.Errorf("zgate's comments after the restart = %d, want still 2 (each command answered once)", len(got))
	}
	kinds := auditKinds(w.auditRecords())
	if kinds["review_request"] != 4 || kinds["command"] != 5 {
		t.Errorf("audit kinds = %v, want 4 review_request (intent and result per team) and 5 command records", kinds)
	}

	// The snapshot of the live pull request replays to the App's decision.
	keyFile := filepath.Join(w.dir, "snap.pem")
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(appKey)}), 0o600))
	snap := filepath.Join(w.dir, "pr.json")
	out, err := exec.Command(binary, "snapshot", "--repo", owner+"/"+repoName, "--pr", fmt.Sprint(n), "--out", snap,
		"--app-id", fmt.Sprint(appID), "--private-key", keyFile, "--github-url", w.simURL+"/api/v3/").CombinedOutput()
	if err != nil {
		t.Fatalf("zgate snapshot: %v\n%s", err, out)
	}
	pol := filepath.Join(w.dir, "zgate.yml")
	co := filepath.Join(w.dir, "CODEOWNERS")
	must(t, os.WriteFile(pol, []byte(strings.Replace(policyFile, "    window: 24h\n", "    window: 24h\n    request_reviews: teams\n", 1)), 0o644))
	must(t, os.WriteFile(co, []byte(codeowners), 0o644))
	cmd := exec.Command(binary, "simulate", "--policy", pol, "--codeowners", co, "--snapshot", snap, "--json")
	out, _ = cmd.Output()
	var sim struct {
		Gates []struct {
			State          string
			Missing        []string
			ReviewRequests []string `json:"review_requests"`
		}
	}
	if err := json.Unmarshal(out, &sim); err != nil || len(sim.Gates) != 1 {
		t.Fatalf("zgate simulate --json = %s (%v), want one gate", out, err)
	}
	check := w.pendingWith(head2, 0)
	if sim.Gates[0].State != "pending" || check.Status != "in_progress" {
		t.Errorf("simulate says %s, the App's check is %s: want both pending", sim.Gates[0].State, check.Status)
	}
	for _, m := range sim.Gates[0].Missing {
		if !strings.Contains(check.Output.Summary, m) {
			t.Errorf("simulate's missing %q is not in the App's check run:\n%s", m, check.Output.Summary)
		}
	}
	// security's request is outstanding (requested_teams); sre's removal
	// is the App's own record, which a snapshot does not carry.
	if !slices.Equal(sim.Gates[0].ReviewRequests, []string{"@acme/sre"}) {
		t.Errorf("simulate's review requests = %v, want only @acme/sre", sim.Gates[0].ReviewRequests)
	}
}
