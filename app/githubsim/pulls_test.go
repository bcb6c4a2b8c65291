package githubsim

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

func TestPullRequestFlow(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	n, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n", "deploy/prod/new.yaml": "x: 1\n"})

	pr, _, err := e.gh.PullRequests.Get(ctx, "acme", "payments", n)
	must(t, err)
	if got, want := pr.GetHead().GetSHA(), head; got != want {
		t.Errorf("head.sha = %q, want %q", got, want)
	}
	if got, want := pr.GetBase().GetRef(), "main"; got != want {
		t.Errorf("base.ref = %q, want %q", got, want)
	}
	if got, want := pr.GetMergeableState(), "clean"; got != want {
		t.Errorf("mergeable_state = %q, want %q", got, want)
	}
	if pr.GetUser().GetLogin() != "alice" || pr.GetMerged() || !pr.GetMergeable() {
		t.Errorf("user, merged, mergeable = %q, %v, %v; want alice, false, true", pr.GetUser().GetLogin(), pr.GetMerged(), pr.GetMergeable())
	}

	files, _, err := e.gh.PullRequests.ListFiles(ctx, "acme", "payments", n, nil)
	must(t, err)
	var got []string
	for _, f := range files {
		got = append(got, f.GetFilename()+":"+f.GetStatus())
	}
	if diff := cmp.Diff([]string{"deploy/prod/app.yaml:modified", "deploy/prod/new.yaml:added"}, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	id, err := e.sim.SubmitReview("acme", "payments", n, "bob", "APPROVE", "lgtm")
	must(t, err)
	newHead, err := e.sim.Push("acme", "payments", "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 4\n"}, nil, "alice")
	must(t, err)
	reviews, _, err := e.gh.PullRequests.ListReviews(ctx, "acme", "payments", n, nil)
	must(t, err)
	if len(reviews) != 1 || reviews[0].GetID() != id || reviews[0].GetState() != "APPROVED" || reviews[0].GetCommitID() != head {
		t.Fatalf("reviews = %v, want one APPROVED review %d on %s", reviews, id, head)
	}

	// The approval was on the old head: a merge guarded by it must fail.
	_, resp, err := e.gh.PullRequests.Merge(ctx, "acme", "payments", n, "", &github.PullRequestOptions{SHA: head})
	if statusOf(resp) != http.StatusConflict {
		t.Fatalf("merge with stale sha: status %d (%v), want 409", statusOf(resp), err)
	}
	e.hooks.reset()
	res, _, err := e.gh.PullRequests.Merge(ctx, "acme", "payments", n, "", &github.PullRequestOptions{SHA: newHead, MergeMethod: "squash"})
	must(t, err)
	if !res.GetMerged() || res.GetSHA() == "" {
		t.Fatalf("merge result = %+v, want merged with sha", res)
	}
	st, err := e.sim.PullRequest("acme", "payments", n)
	must(t, err)
	if diff := cmp.Diff(PRState{Merged: true, MergeCommitSHA: res.GetSHA(), HeadSHA: newHead, State: "closed"}, st); diff != "" {
		t.Errorf("PR state (-want +got):\n%s", diff)
	}
	e.sim.WaitDeliveries()
	if diff := cmp.Diff([]string{"push", "pull_request.closed"}, e.hooks.events()); diff != "" {
		t.Errorf("webhooks after merge (-want +got):\n%s", diff)
	}
	closed := e.hooks.last("pull_request").Payload["pull_request"].(map[string]any)
	if closed["merged"] != true || closed["merge_commit_sha"] != res.GetSHA() {
		t.Errorf("pull_request closed: merged=%v merge_commit_sha=%v, want true %s", closed["merged"], closed["merge_commit_sha"], res.GetSHA())
	}
	content, _, _, err := e.gh.Repositories.GetContents(ctx, "acme", "payments", "deploy/prod/app.yaml", &github.RepositoryContentGetOptions{Ref: "main"})
	must(t, err)
	if text, _ := content.GetContent(); text != "replicas: 4\n" {
		t.Errorf("main:deploy/prod/app.yaml = %q after merge, want replicas: 4", text)
	}
	pulls, _, err := e.gh.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "payments", res.GetSHA(), nil)
	must(t, err)
	if len(pulls) != 1 || pulls[0].GetNumber() != n {
		t.Errorf("pulls of merge commit = %d, want [#%d]", len(pulls), n)
	}
}

func TestMergeRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, e *env, n int)
		want  int
	}{
		{"draft", func(t *testing.T, e *env, n int) { must(t, e.sim.SetDraft("acme", "payments", n, true)) }, http.StatusMethodNotAllowed},
		{"closed", func(t *testing.T, e *env, n int) { must(t, e.sim.ClosePR("acme", "payments", n, "alice")) }, http.StatusMethodNotAllowed},
		{"required check missing", func(t *testing.T, e *env, n int) {
			must(t, e.sim.SetRequiredChecks("acme", "payments", "main", []string{"ci"}))
		}, http.StatusMethodNotAllowed},
		{"required status failing", func(t *testing.T, e *env, n int) {
			must(t, e.sim.SetRequiredChecks("acme", "payments", "main", []string{"ci"}))
			st, _ := e.sim.PullRequest("acme", "payments", n)
			must(t, e.sim.SetStatus("acme", "payments", st.HeadSHA, "failure", "ci", "", "ci-bot"))
		}, http.StatusMethodNotAllowed},
		{"conflict", func(t *testing.T, e *env, n int) {
			_, err := e.sim.Push("acme", "payments", "main", map[string]string{"deploy/prod/app.yaml": "replicas: 9\n"}, nil, "carol")
			must(t, err)
		}, http.StatusMethodNotAllowed},
		{"required status green", func(t *testing.T, e *env, n int) {
			must(t, e.sim.SetRequiredChecks("acme", "payments", "main", []string{"ci"}))
			st, _ := e.sim.PullRequest("acme", "payments", n)
			must(t, e.sim.SetStatus("acme", "payments", st.HeadSHA, "success", "ci", "", "ci-bot"))
		}, http.StatusOK},
		{"unrelated push to base", func(t *testing.T, e *env, n int) {
			_, err := e.sim.Push("acme", "payments", "main", map[string]string{"README.md": "# new\n"}, nil, "carol")
			must(t, err)
		}, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			n, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
			tc.setup(t, e, n)
			_, resp, err := e.gh.PullRequests.Merge(context.Background(), "acme", "payments", n, "", &github.PullRequestOptions{SHA: head})
			if got := statusOf(resp); got != tc.want {
				t.Errorf("merge status = %d (%v), want %d", got, err, tc.want)
			}
			st, _ := e.sim.PullRequest("acme", "payments", n)
			if st.Merged != (tc.want == http.StatusOK) {
				t.Errorf("merged = %v, want %v", st.Merged, tc.want == http.StatusOK)
			}
		})
	}
}
