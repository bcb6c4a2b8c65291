package server

import (
	"encoding/json"
	"testing"

	"github.com/zgate-dev/zgate/app/facts"
)

// hintedPayload is a delivery of event with action whose pull request is
// complete enough to start an evaluation from (facts.Hints).
func hintedPayload(t *testing.T, action, sender string) []byte {
	t.Helper()
	repo := map[string]any{"id": 9, "name": "payments", "full_name": "acme/payments", "owner": map[string]any{"login": "acme"}}
	b, err := json.Marshal(map[string]any{
		"action": action, "number": 12,
		"review": map[string]any{"id": 5, "state": "approved", "commit_id": "abc", "submitted_at": "2026-01-02T03:04:05Z",
			"user": map[string]any{"login": "carol", "id": 3, "type": "User"}},
		"pull_request": map[string]any{"number": 12, "state": "open", "updated_at": "2026-01-02T03:04:05Z",
			"user": map[string]any{"login": "alice", "id": 2, "type": "User"},
			"head": map[string]any{"sha": "abc", "ref": "scale"},
			"base": map[string]any{"sha": "def", "ref": "main", "repo": repo}},
		"repository":   repo,
		"installation": map[string]any{"id": 7},
		"sender":       map[string]any{"login": sender},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDeliveriesLeaveHints: the pull request (and review) of the
// deliveries that ask for an evaluation are handed to it; a delivery the
// App ignores, a closed pull request and a payload without what an
// evaluation starts from leave none.
func TestDeliveriesLeaveHints(t *testing.T) {
	tests := []struct {
		name, event string
		body        func(t *testing.T) []byte
		want        int
	}{
		{"review submitted", "pull_request_review", func(t *testing.T) []byte { return hintedPayload(t, "submitted", "carol") }, 1},
		{"review dismissed", "pull_request_review", func(t *testing.T) []byte { return hintedPayload(t, "dismissed", "admin") }, 1},
		{"pull request opened", "pull_request", func(t *testing.T) []byte { return hintedPayload(t, "opened", "alice") }, 1},
		{"pull request closed", "pull_request", func(t *testing.T) []byte { return hintedPayload(t, "closed", "alice") }, 0},
		{"sent by the App", "pull_request_review", func(t *testing.T) []byte { return hintedPayload(t, "submitted", "zgate[bot]") }, 0},
		{"pull request without its date", "pull_request_review", func(t *testing.T) []byte {
			return readPayload(t, "pull_request_review_submitted.json")
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := facts.NewHints(0)
			s, _ := newTestServerWith(t, func(c *Config) { c.Hints = h })
			body := tt.body(t)
			if rec := post(t, s.Handler(), tt.event, "d-1", body, Sign(testSecret, body)); rec.Code >= 300 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := h.Len(); got != tt.want {
				t.Errorf("pull requests with hints = %d, want %d", got, tt.want)
			}
		})
	}
}
