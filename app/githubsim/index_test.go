package githubsim

import (
	"context"
	"testing"

	"github.com/google/go-github/v62/github"
)

// TestIndexFollowsPushes checks that the lookups behind check-run and
// status answers follow a push: a check run lists the open pull requests
// whose head is its commit now, not when the run was made, and a status
// names the branches pointing at its commit now.
func TestIndexFollowsPushes(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	n, old := e.openPR(t, "feature", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	mk := func(sha string) int64 {
		t.Helper()
		c, _, err := e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{Name: "ci", HeadSHA: sha})
		must(t, err)
		return c.GetID()
	}
	prsOf := func(id int64) []int {
		t.Helper()
		c, _, err := e.gh.Checks.GetCheckRun(ctx, "acme", "payments", id)
		must(t, err)
		var out []int
		for _, p := range c.PullRequests {
			out = append(out, p.GetNumber())
		}
		return out
	}
	oldRun := mk(old)
	if got := prsOf(oldRun); len(got) != 1 || got[0] != n {
		t.Fatalf("pull requests of the run on the head = %v, want [%d]", got, n)
	}
	head, err := e.sim.Push("acme", "payments", "feature", map[string]string{"deploy/prod/app.yaml": "replicas: 4\n"}, nil, "alice")
	must(t, err)
	if got := prsOf(oldRun); len(got) != 0 {
		t.Errorf("pull requests of the run on the old head = %v, want none", got)
	}
	newRun := mk(head)
	if got := prsOf(newRun); len(got) != 1 || got[0] != n {
		t.Errorf("pull requests of the run on the new head = %v, want [%d]", got, n)
	}
	// A second branch at the same commit, then the first moves on.
	_, err = e.sim.Push("acme", "payments", "feature", map[string]string{"x": "1\n"}, nil, "alice")
	must(t, err)
	if got := e.sim.CheckRuns("acme", "payments", head); len(got) != 1 || got[0].ID != newRun {
		t.Errorf("CheckRuns(new head) = %+v, want the one run %d", got, newRun)
	}
	e.sim.mu.Lock()
	defer e.sim.mu.Unlock()
	r := e.sim.repo("acme", "payments")
	if bs := r.branchesOn(head); len(bs) != 0 {
		t.Errorf("branches on the superseded head = %v, want none", bs)
	}
	if bs := r.branchesOn(r.branches["feature"]); len(bs) != 1 || bs[0] != "feature" {
		t.Errorf("branches on feature's head = %v, want [feature]", bs)
	}
	if bs := r.branchesOn(r.branches["main"]); len(bs) != 1 || bs[0] != "main" {
		t.Errorf("branches on main's head = %v, want [main]", bs)
	}
}
