package githubsim

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

func TestReviewRequests(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	must(t, e.sim.AddTeamMember("acme", "sre", "bob", ""))
	must(t, e.sim.AddTeamMember("acme", "security", "dave", ""))
	n, _ := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	e.hooks.reset()

	pr, resp, err := e.gh.PullRequests.RequestReviewers(ctx, "acme", "payments", n, github.ReviewersRequest{TeamReviewers: []string{"sre"}})
	must(t, err)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("POST requested_reviewers: status %d, want 201", resp.StatusCode)
	}
	if len(pr.RequestedTeams) != 1 || pr.RequestedTeams[0].GetSlug() != "sre" || pr.GetNumber() != n {
		t.Errorf("POST answered the pull request with requested_teams %v, want [sre]", pr.RequestedTeams)
	}
	// Requested again: no second webhook.
	_, _, err = e.gh.PullRequests.RequestReviewers(ctx, "acme", "payments", n, github.ReviewersRequest{TeamReviewers: []string{"sre"}})
	must(t, err)
	waitHooks(t, e, 1)
	if diff := cmp.Diff([]string{"pull_request.review_requested"}, e.hooks.events()); diff != "" {
		t.Errorf("webhooks (-want +got):\n%s", diff)
	}
	h := e.hooks.hooks[0]
	if slug := h.Payload["requested_team"].(map[string]any)["slug"]; slug != "sre" {
		t.Errorf("requested_team.slug = %v, want sre", slug)
	}
	if sender := h.Payload["sender"].(map[string]any)["login"]; sender != "zgate[bot]" {
		t.Errorf("sender = %v, want the App's bot", sender)
	}

	got, _, err := e.gh.PullRequests.ListReviewers(ctx, "acme", "payments", n, nil)
	must(t, err)
	if len(got.Teams) != 1 || got.Teams[0].GetSlug() != "sre" || len(got.Users) != 0 {
		t.Errorf("GET requested_reviewers = %+v, want team sre only", got)
	}
	pr, _, err = e.gh.PullRequests.Get(ctx, "acme", "payments", n)
	must(t, err)
	if len(pr.RequestedTeams) != 1 {
		t.Errorf("GET pull: requested_teams = %v, want [sre]", pr.RequestedTeams)
	}

	// Unknown team: 422.
	_, resp, _ = e.gh.PullRequests.RequestReviewers(ctx, "acme", "payments", n, github.ReviewersRequest{TeamReviewers: []string{"nobody"}})
	if statusOf(resp) != http.StatusUnprocessableEntity {
		t.Errorf("POST unknown team: status %d, want 422", statusOf(resp))
	}

	// A person removes it: review_request_removed, sent by them.
	e.hooks.reset()
	must(t, e.sim.RemoveTeamReviewRequest("acme", "payments", n, "sre", "carol"))
	if diff := cmp.Diff([]string{"pull_request.review_request_removed"}, e.hooks.events()); diff != "" {
		t.Errorf("webhooks (-want +got):\n%s", diff)
	}
	if sender := e.hooks.hooks[0].Payload["sender"].(map[string]any)["login"]; sender != "carol" {
		t.Errorf("sender = %v, want carol", sender)
	}
	teams, err := e.sim.RequestedTeams("acme", "payments", n)
	must(t, err)
	if len(teams) != 0 {
		t.Errorf("RequestedTeams = %v, want none", teams)
	}

	// DELETE answers 200 with the pull request.
	must(t, e.sim.RequestTeamReview("acme", "payments", n, "security", "alice"))
	resp, err = e.gh.PullRequests.RemoveReviewers(ctx, "acme", "payments", n, github.ReviewersRequest{TeamReviewers: []string{"security"}})
	must(t, err)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("DELETE requested_reviewers: status %d, want 200", resp.StatusCode)
	}
	if teams, _ := e.sim.RequestedTeams("acme", "payments", n); len(teams) != 0 {
		t.Errorf("after DELETE, RequestedTeams = %v, want none", teams)
	}
}

func TestCommentReactions(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	n, _ := e.openPR(t, "scale", map[string]string{"a.txt": "a\n"})
	id, err := e.sim.Comment("acme", "payments", n, "bob", "/zgate recheck")
	must(t, err)

	r, resp, err := e.gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "payments", id, "+1")
	must(t, err)
	if resp.StatusCode != http.StatusCreated || r.GetContent() != "+1" || r.GetUser().GetLogin() != "zgate[bot]" {
		t.Errorf("POST reaction: %d %+v, want 201 +1 by zgate[bot]", resp.StatusCode, r)
	}
	_, resp, err = e.gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "payments", id, "+1")
	must(t, err)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST the same reaction again: status %d, want 200", resp.StatusCode)
	}
	_, resp, _ = e.gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "payments", id, "thumbs")
	if statusOf(resp) != http.StatusUnprocessableEntity {
		t.Errorf("POST unknown content: status %d, want 422", statusOf(resp))
	}
	_, resp, _ = e.gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "payments", 999999, "+1")
	if statusOf(resp) != http.StatusNotFound {
		t.Errorf("POST on a missing comment: status %d, want 404", statusOf(resp))
	}
	got, err := e.sim.CommentReactions("acme", "payments", id)
	must(t, err)
	if diff := cmp.Diff([]Reaction{{User: "zgate[bot]", Content: "+1"}}, got); diff != "" {
		t.Errorf("reactions (-want +got):\n%s", diff)
	}
	c, _, err := e.gh.Issues.GetComment(ctx, "acme", "payments", id)
	if err == nil && c.GetReactions().GetPlusOne() != 1 {
		t.Errorf("comment reactions +1 = %d, want 1", c.GetReactions().GetPlusOne())
	}
}

// waitHooks waits until the receiver has n webhooks: a REST call queues
// its webhooks just after answering, so WaitDeliveries alone can miss them.
func waitHooks(t *testing.T, e *env, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(e.hooks.events()) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		e.sim.WaitDeliveries()
	}
}
