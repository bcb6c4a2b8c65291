package githubsim

import (
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// TestCheckSuites: a commit gets its check suite when pushed, dated by the
// simulator's clock.
func TestCheckSuites(t *testing.T) {
	e := newEnv(t, Options{})
	before := time.Now().UTC().Truncate(time.Second)
	_, sha := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	after := time.Now().UTC()
	_, err := e.sim.Push("acme", "payments", "other", map[string]string{"x": "1"}, nil, "bob")
	must(t, err)
	res, resp, err := e.gh.Checks.ListCheckSuitesForRef(t.Context(), "acme", "payments", sha, &github.ListCheckSuiteOptions{})
	must(t, err)
	if statusOf(resp) != 200 || res.GetTotal() != 1 || len(res.CheckSuites) != 1 {
		t.Fatalf("check suites of %s = %d %+v, want one", sha[:7], statusOf(resp), res)
	}
	cs := res.CheckSuites[0]
	if at := cs.GetCreatedAt().Time; at.Before(before) || at.After(after) || cs.GetHeadSHA() != sha || cs.GetApp().GetSlug() != "github-actions" {
		t.Errorf("suite = created %v, head %s, app %s; want in [%v, %v], %s, github-actions", at, cs.GetHeadSHA(), cs.GetApp().GetSlug(), before, after, sha)
	}
	res, _, err = e.gh.Checks.ListCheckSuitesForRef(t.Context(), "acme", "payments", sha, &github.ListCheckSuiteOptions{AppID: github.Int(1)})
	must(t, err)
	if res.GetTotal() != 0 {
		t.Errorf("suites of another app = %d, want 0", res.GetTotal())
	}
}

// TestEditComment: editing a comment (Go API and REST) sets updated_at
// and emits issue_comment edited with the old body.
func TestEditComment(t *testing.T) {
	e := newEnv(t, Options{})
	n, _ := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	id, err := e.sim.Comment("acme", "payments", n, "carol", "/zgate override typo")
	must(t, err)
	must(t, e.sim.EditComment("acme", "payments", id, "carol", "/zgate override INC-1"))
	h := e.hooks.last("issue_comment")
	if h.Action != "edited" {
		t.Fatalf("last issue_comment action = %q, want edited", h.Action)
	}
	if from := h.Payload["changes"].(map[string]any)["body"].(map[string]any)["from"]; from != "/zgate override typo" {
		t.Errorf("changes.body.from = %v", from)
	}
	if s := h.Payload["sender"].(map[string]any)["login"]; s != "carol" {
		t.Errorf("sender = %v, want carol", s)
	}
	cs, _, err := e.gh.Issues.ListComments(t.Context(), "acme", "payments", n, nil)
	must(t, err)
	if len(cs) != 1 || cs[0].GetBody() != "/zgate override INC-1" || !cs[0].GetUpdatedAt().After(cs[0].GetCreatedAt().Time) {
		t.Fatalf("comments = %+v, want the edited body with updated_at after created_at", cs)
	}
	c, resp, err := e.gh.Issues.EditComment(t.Context(), "acme", "payments", id, &github.IssueComment{Body: github.String("/zgate override by app")})
	must(t, err)
	if statusOf(resp) != 200 || c.GetBody() != "/zgate override by app" {
		t.Errorf("PATCH comment = %d %q", statusOf(resp), c.GetBody())
	}
	if _, _, err := e.gh.Issues.EditComment(t.Context(), "acme", "payments", 999999, &github.IssueComment{Body: github.String("x")}); statusOf(errResp(err)) != 404 {
		t.Errorf("PATCH of an unknown comment: err = %v, want 404", err)
	}
	if err := e.sim.EditComment("acme", "payments", 999999, "carol", "x"); err == nil {
		t.Errorf("EditComment(unknown) = nil, want an error")
	}
}

func errResp(err error) *github.Response {
	if er, ok := err.(*github.ErrorResponse); ok {
		return &github.Response{Response: er.Response}
	}
	return nil
}
