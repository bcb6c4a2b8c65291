package githubsim

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-github/v62/github"
)

// TestProtectionPerBranch: required checks are per base branch, names with
// ": " work, a person's merge (MergePR) obeys the same rules as the REST
// call, and the rules of the base a pull request targets *now* apply (a
// retarget between a check and the merge).
func TestProtectionPerBranch(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	_, err := e.sim.Push("acme", "payments", "weak", map[string]string{"weak.txt": "w\n"}, nil, "mallory")
	must(t, err)
	n, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	n2, err := e.sim.OpenPR("acme", "payments", PROptions{Head: "scale", Base: "weak", Author: "alice"})
	must(t, err)
	must(t, e.sim.SetRequiredChecks("acme", "payments", "main", []string{"zgate/production: main"}))
	must(t, e.sim.SetRequiredChecks("acme", "payments", "weak", []string{"zgate/production: weak"}))

	// The check of another base, green on the same head, does not count.
	_, _, err = e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{
		Name: "zgate/production: weak", HeadSHA: head, Status: github.String("completed"), Conclusion: github.String("success"),
	})
	must(t, err)
	if _, err := e.sim.MergePR("acme", "payments", n, "alice", head, ""); !errors.Is(err, ErrRefused) {
		t.Fatalf("MergePR into main with only the weak check green: err = %v, want ErrRefused", err)
	}
	// Retargeted to weak, the same pull request is governed by weak's rule.
	must(t, e.sim.ChangeBase("acme", "payments", n, "weak", "alice"))
	if _, err := e.sim.MergePR("acme", "payments", n, "alice", "0000000", ""); !errors.Is(err, ErrRefused) {
		t.Errorf("MergePR with a stale sha: err = %v, want ErrRefused", err)
	}
	// And back to main, after the check ran: still refused.
	must(t, e.sim.ChangeBase("acme", "payments", n, "main", "alice"))
	_, resp, err := e.gh.PullRequests.Merge(ctx, "acme", "payments", n, "", &github.PullRequestOptions{SHA: head})
	if statusOf(resp) != 405 {
		t.Fatalf("REST merge into main: status %d (%v), want 405", statusOf(resp), err)
	}
	sha, err := e.sim.MergePR("acme", "payments", n2, "alice", head, "squash")
	must(t, err)
	st, _ := e.sim.PullRequest("acme", "payments", n2)
	if !st.Merged || st.MergeCommitSHA != sha {
		t.Errorf("PR into weak: merged %v as %s, want merged as %s", st.Merged, st.MergeCommitSHA, sha)
	}
	pr, _, err := e.gh.PullRequests.Get(ctx, "acme", "payments", n2)
	must(t, err)
	if pr.GetMergedBy().GetLogin() != "alice" || pr.GetBase().GetRepo().GetDefaultBranch() != "main" {
		t.Errorf("merged_by, base.repo.default_branch = %q, %q; want alice, main", pr.GetMergedBy().GetLogin(), pr.GetBase().GetRepo().GetDefaultBranch())
	}
}
