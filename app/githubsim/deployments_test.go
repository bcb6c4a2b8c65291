package githubsim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestDeploymentProtectionRule(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	n, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 5\n"})
	if _, err := e.sim.StartDeployment("acme", "payments", DeploymentOptions{Environment: "production", SHA: head, Creator: "dan"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deploying to an unknown environment: %v, want ErrNotFound", err)
	}
	must(t, e.sim.AddEnvironment("acme", "payments", "production"))
	if err := e.sim.AddEnvironment("acme", "payments", "Production"); !errors.Is(err, ErrExists) {
		t.Errorf("adding an environment twice: %v, want ErrExists", err)
	}
	d, err := e.sim.StartDeployment("acme", "payments", DeploymentOptions{Environment: "production", Ref: "scale", SHA: head, Creator: "dan"})
	must(t, err)
	e.sim.WaitDeliveries()
	var ev github.DeploymentProtectionRuleEvent
	h := e.hooks.last("deployment_protection_rule")
	if h.Action != "requested" || h.Payload["environment"] != "production" {
		t.Fatalf("event = %s %v, want requested for production", h.Action, h.Payload["environment"])
	}
	must(t, remarshal(h.Payload, &ev))
	if got := ev.GetDeployment().GetSHA(); got != head {
		t.Errorf("deployment.sha = %q, want %q", got, head)
	}
	if got := ev.GetDeployment().GetCreator().GetLogin(); got != "dan" {
		t.Errorf("deployment.creator = %q, want dan", got)
	}
	if len(ev.PullRequests) != 1 || ev.PullRequests[0].GetNumber() != n {
		t.Errorf("pull_requests = %d entries, want PR #%d", len(ev.PullRequests), n)
	}
	wantURL := "/api/v3/repos/acme/payments/actions/runs/" + itoa(d.RunID) + "/deployment_protection_rule"
	if got := ev.GetDeploymentCallbackURL(); !strings.HasSuffix(got, wantURL) {
		t.Errorf("deployment_callback_url = %q, want %q", got, wantURL)
	}
	answer := func(run int64, body map[string]any) int {
		req, err := e.gh.NewRequest(http.MethodPost, "repos/acme/payments/actions/runs/"+itoa(run)+"/deployment_protection_rule", body)
		must(t, err)
		resp, _ := e.gh.Do(ctx, req, nil)
		return statusOf(resp)
	}
	for _, tt := range []struct {
		name string
		run  int64
		body map[string]any
		want int
	}{
		{"bad state", d.RunID, map[string]any{"environment_name": "production", "state": "maybe"}, 422},
		{"no environment", d.RunID, map[string]any{"state": "approved"}, 422},
		{"unknown run", d.RunID + 1000, map[string]any{"environment_name": "production", "state": "approved"}, 404},
		{"another environment", d.RunID, map[string]any{"environment_name": "staging", "state": "approved"}, 422},
		{"approved", d.RunID, map[string]any{"environment_name": "production", "state": "approved", "comment": "two teams"}, 204},
		{"answered twice", d.RunID, map[string]any{"environment_name": "production", "state": "rejected"}, 422},
	} {
		if got := answer(tt.run, tt.body); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	got := e.sim.Deployments("acme", "payments")
	if len(got) != 1 || got[0].State != "approved" || got[0].Answers != 1 || got[0].Refused != 1 || got[0].Comment != "two teams" {
		t.Errorf("deployments = %+v, want one approved once, one answer refused", got)
	}
	list, _, err := e.gh.Repositories.ListDeployments(ctx, "acme", "payments", &github.DeploymentsListOptions{SHA: head})
	must(t, err)
	if len(list) != 1 || list[0].GetEnvironment() != "production" {
		t.Errorf("GET deployments = %d, want the production one", len(list))
	}
}

// remarshal decodes a webhook payload into a go-github event type.
func remarshal(payload map[string]any, v any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
