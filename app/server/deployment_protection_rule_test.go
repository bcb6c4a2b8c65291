package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/deploy"
	"github.com/zgate-dev/zgate/app/store"
)

func protectionRulePayload(t *testing.T, action, callback, creator, creatorType string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"action":                  action,
		"environment":             "production",
		"event":                   "push",
		"deployment_callback_url": callback,
		"deployment": map[string]any{"id": 5001, "sha": "D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0D0", "ref": "main",
			"environment": "production", "created_at": "2026-11-24T11:00:00Z",
			"creator": map[string]any{"login": creator, "type": creatorType}},
		"pull_requests": []any{},
		"repository":    map[string]any{"name": "payments", "full_name": "acme/payments", "owner": map[string]any{"login": "acme"}},
		"installation":  map[string]any{"id": 7},
		"sender":        map[string]any{"login": "dan", "type": "User"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhookDeploymentProtectionRule(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	const url = "https://api.github.com/repos/acme/payments/actions/runs/9876543210/deployment_protection_rule"
	want := store.Deployment{Installation: 7, Owner: "acme", Repo: "payments", RunID: 9876543210, Environment: "production",
		DeploymentID: 5001, SHA: "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0", Ref: "main", Deployer: "carol",
		Requested: time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC), Received: now}
	fromBot := want
	fromBot.Deployer = "dan"
	tests := []struct {
		name             string
		action, callback string
		creator, typ     string
		wantStatus       int
		wantDeployments  []store.Deployment
	}{
		{"requested", "requested", url, "carol", "User", 202, []store.Deployment{want}},
		{"created by a bot: the sender deploys", "requested", url, "github-actions[bot]", "Bot", 202, []store.Deployment{fromBot}},
		{"other action", "completed", url, "carol", "User", 200, nil},
		{"callback without a run", "requested", "https://api.github.com/repos/acme/payments/deployments/1", "carol", "User", 200, nil},
		{"callback with a bad run", "requested", "https://api.github.com/repos/acme/payments/actions/runs/x1/deployment_protection_rule", "carol", "User", 200, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, f := newTestServerWith(t, func(c *Config) { c.Now = func() time.Time { return now } })
			body := protectionRulePayload(t, tc.action, tc.callback, tc.creator, tc.typ)
			rec := post(t, s.Handler(), "deployment_protection_rule", "d-1", body, Sign(testSecret, body))
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d (%s), want %d", rec.Code, rec.Body, tc.wantStatus)
			}
			if diff := cmp.Diff(tc.wantDeployments, f.deployments); diff != "" {
				t.Errorf("deployments (-want +got):\n%s", diff)
			}
			if tc.wantDeployments != nil && (len(f.keys) != 1 || !deploy.IsKey(f.keys[0])) {
				t.Errorf("queued %v, want the repository's deployments key", f.keys)
			}
		})
	}
}

func TestApproveDeployCommentQueuesDeployments(t *testing.T) {
	for _, tc := range []struct{ action, body string }{
		{"created", "/zgate approve-deploy production"},
		{"deleted", "lgtm\n/zgate approve-deploy production abc1234"},
	} {
		s, f := newTestServer(t)
		body := commentPayload(t, tc.action, tc.body, 101, "bob", "User")
		if rec := post(t, s.Handler(), "issue_comment", "d-"+tc.action, body, Sign(testSecret, body)); rec.Code != 202 {
			t.Fatalf("%s: status %d", tc.action, rec.Code)
		}
		if len(f.keys) != 2 || f.keys[0].Number != 12 || !deploy.IsKey(f.keys[1]) {
			t.Errorf("%s: queued %v, want the pull request and the deployments key", tc.action, f.keys)
		}
		if len(f.commands) != 0 {
			t.Errorf("%s: recorded commands %v; approve-deploy needs no answer", tc.action, f.commands)
		}
	}
}
