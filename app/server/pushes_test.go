package server

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/store"
)

// TestWebhookRecordsPushers: the sender of pull_request opened,
// synchronize and reopened, and of a branch push, is recorded as a pusher
// of the head, also when the event is otherwise ignored; the pull
// is sighted by zgate's clock.
func TestWebhookRecordsPushers(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name, event, body string
		wantStatus        int
		want              []store.Push
	}{
		{
			name: "synchronize", event: "pull_request", wantStatus: 202,
			body: `{"action":"synchronize","number":12,"pull_request":{"number":12,"head":{"sha":"BEEF"},"updated_at":"2026-11-25T09:00:00Z"},"repository":{"id":99,"name":"payments","owner":{"login":"acme"}},"installation":{"id":7},"sender":{"login":"carol"}}`,
			want: []store.Push{{RepoID: 99, Number: 12, HeadSHA: "BEEF", Sender: "carol", SeenAt: now}},
		},
		{
			name: "reopened", event: "pull_request", wantStatus: 202,
			body: `{"action":"reopened","number":12,"pull_request":{"number":12,"head":{"sha":"beef"},"updated_at":"2026-11-25T10:00:30Z"},"repository":{"id":99,"name":"payments","owner":{"login":"acme"}},"installation":{"id":7},"sender":{"login":"carol"}}`,
			want: []store.Push{{RepoID: 99, Number: 12, HeadSHA: "beef", Sender: "carol", SeenAt: now}},
		},
		{
			name: "sent by the App: recorded, then ignored", event: "pull_request", wantStatus: 200,
			body: `{"action":"synchronize","number":12,"pull_request":{"number":12,"head":{"sha":"beef"}},"repository":{"id":99,"name":"payments","owner":{"login":"acme"}},"installation":{"id":7},"sender":{"login":"zgate[bot]"}}`,
			want: []store.Push{{RepoID: 99, Number: 12, HeadSHA: "beef", Sender: "zgate[bot]", SeenAt: now}},
		},
		{
			name: "labeled: no push", event: "pull_request", wantStatus: 202,
			body: `{"action":"labeled","number":12,"pull_request":{"number":12,"head":{"sha":"beef"}},"repository":{"id":99,"name":"payments","owner":{"login":"acme"}},"installation":{"id":7},"sender":{"login":"carol"}}`,
		},
		{
			name: "no head: cannot act, nothing queued", event: "pull_request", wantStatus: 200,
			body: `{"action":"synchronize","number":12,"pull_request":{"number":12},"repository":{"id":99,"name":"payments","owner":{"login":"acme"}},"installation":{"id":7},"sender":{"login":"carol"}}`,
		},
		{
			name: "branch push", event: "push", wantStatus: 200,
			body: `{"ref":"refs/heads/feature","after":"cafe","commits":[{"id":"cafe","added":["a.go"],"modified":[],"removed":[]}],"repository":{"id":99,"name":"payments","owner":{"login":"acme"}},"installation":{"id":7},"sender":{"login":"carol"}}`,
			want: []store.Push{{RepoID: 99, HeadSHA: "cafe", Sender: "carol", SeenAt: now}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, f := newTestServer(t)
			s.cfg.Now = func() time.Time { return now }
			rec := post(t, s.Handler(), tt.event, "d-1", []byte(tt.body), Sign(testSecret, []byte(tt.body)))
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d (%s), want %d", rec.Code, rec.Body, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.want, f.pushes); diff != "" {
				t.Errorf("recorded pushes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWebhookPusherNotRecorded: when the pusher cannot be recorded, the
// delivery fails (503) and nothing is queued: an evaluation without the
// pusher could count their approval.
func TestWebhookPusherNotRecorded(t *testing.T) {
	s, f := newTestServer(t)
	f.pushErr = errors.New("database is down")
	body := readPayload(t, "pull_request_opened.json")
	rec := post(t, s.Handler(), "pull_request", "d-1", body, Sign(testSecret, body))
	if rec.Code != 503 || len(f.keys) != 0 {
		t.Errorf("status = %d, queued %v; want 503 and nothing queued", rec.Code, f.keys)
	}
}
