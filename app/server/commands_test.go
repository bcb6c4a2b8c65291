package server

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
)

// commentPayload is an issue_comment delivery on pull request 12.
func commentPayload(t *testing.T, action, body string, id int64, sender, senderType string) []byte {
	t.Helper()
	p := map[string]any{
		"action":       action,
		"issue":        map[string]any{"number": 12, "pull_request": map[string]any{"url": "https://x"}},
		"comment":      map[string]any{"id": id, "body": body},
		"repository":   map[string]any{"name": "payments", "full_name": "acme/payments", "owner": map[string]any{"login": "acme"}},
		"installation": map[string]any{"id": 7},
		"sender":       map[string]any{"login": sender, "type": senderType},
	}
	if action == "edited" {
		p["changes"] = map[string]any{"body": map[string]any{"from": "typo"}}
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhookCommands(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	key := store.PRKey{Installation: 7, Owner: "acme", Repo: "payments", Number: 12}
	cmd := func(id int64, name, sender string) []store.Command {
		return []store.Command{{CommentID: id, Key: key, Name: name, Sender: sender, At: now}}
	}
	tests := []struct {
		name         string
		action, body string
		sender, typ  string
		wantStatus   int
		wantKeys     int
		want         []store.Command
	}{
		{"recheck", "created", "/zgate recheck", "bob", "User", 202, 1, cmd(101, "recheck", "bob")},
		{"explain", "created", "please\n/zgate explain", "bob", "User", 202, 1, cmd(101, "explain", "bob")},
		{"unknown", "created", "/zgate merge-now", "bob", "User", 202, 1, cmd(101, "merge-now", "bob")},
		{"bare prefix", "created", "/zgate", "bob", "User", 202, 1, cmd(101, "-", "bob")},
		{"override: re-evaluated, not answered", "created", "/zgate override outage", "bob", "User", 202, 1, nil},
		{"edited: re-evaluated, never answered", "edited", "/zgate explain", "bob", "User", 202, 1, nil},
		{"deleted", "deleted", "/zgate explain", "bob", "User", 202, 1, nil},
		{"from a bot", "created", "/zgate explain", "renovate[bot]", "Bot", 202, 1, nil},
		{"from a bot account without the suffix", "created", "/zgate explain", "ci-robot", "Bot", 202, 1, nil},
		{"from zgate itself", "created", "/zgate explain", "zgate[bot]", "Bot", 200, 0, nil},
		{"quoted command: re-evaluated, not answered", "created", "> /zgate explain", "bob", "User", 202, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, f := newTestServerWith(t, func(c *Config) { c.Now = func() time.Time { return now } })
			body := commentPayload(t, tc.action, tc.body, 101, tc.sender, tc.typ)
			rec := post(t, s.Handler(), "issue_comment", "d-1", body, Sign(testSecret, body))
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d (%s), want %d", rec.Code, rec.Body, tc.wantStatus)
			}
			if len(f.keys) != tc.wantKeys {
				t.Errorf("queued %v, want %d keys", f.keys, tc.wantKeys)
			}
			if diff := cmp.Diff(tc.want, f.commands); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWebhookReviewRequestRemoved(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	payload := func(sender string, team any) []byte {
		p := map[string]any{
			"action": "review_request_removed", "number": 12,
			"pull_request": map[string]any{"number": 12, "head": map[string]any{"sha": "abc"}},
			"repository":   map[string]any{"id": 5, "name": "payments", "full_name": "acme/payments", "owner": map[string]any{"login": "acme"}},
			"installation": map[string]any{"id": 7},
			"sender":       map[string]any{"login": sender, "type": "User"},
		}
		if team != nil {
			p["requested_team"] = team
		} else {
			p["requested_reviewer"] = map[string]any{"login": "bob"}
		}
		b, _ := json.Marshal(p)
		return b
	}
	tests := []struct {
		name       string
		body       []byte
		wantStatus int
		want       []store.RemovedReview
	}{
		{"a person removes a team", payload("carol", map[string]any{"slug": "sre"}), http.StatusAccepted,
			[]store.RemovedReview{{Owner: "acme", Repo: "payments", Number: 12, Team: "acme/sre", At: now}}},
		{"a user's request", payload("carol", nil), http.StatusOK, nil},
		{"zgate itself", payload("zgate[bot]", map[string]any{"slug": "sre"}), http.StatusOK, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, f := newTestServerWith(t, func(c *Config) { c.Now = func() time.Time { return now } })
			rec := post(t, s.Handler(), "pull_request", "d-1", tc.body, Sign(testSecret, tc.body))
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d (%s), want %d", rec.Code, rec.Body, tc.wantStatus)
			}
			if diff := cmp.Diff(tc.want, f.removed); diff != "" {
				t.Errorf("removed reviews (-want +got):\n%s", diff)
			}
		})
	}
}
