package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
)

// TestWebhookRejectsNonJSONForEveryEvent: the webhook no longer scans the
// body before the handler, so every event, handled or not, must still
// answer 400 "body is not JSON" to a body that does not parse, also when
// it starts like a payload the handler would ignore.
func TestWebhookRejectsNonJSONForEveryEvent(t *testing.T) {
	events := []string{"pull_request", "pull_request_review", "issue_comment", "check_run", "check_suite",
		"workflow_run", "push", "membership", "team", "organization", "installation",
		"installation_repositories", "status", "merge_group", "ping", "star"}
	bodies := []string{"{", `{"action":"completed"} x`, `{"action":"completed","zen":"\u00"}`, "not json", ""}
	for _, ev := range events {
		for _, body := range bodies {
			s, f := newTestServer(t)
			rec := post(t, s.Handler(), ev, "d-1", []byte(body), Sign(testSecret, []byte(body)))
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "not JSON") {
				t.Errorf("%s %q: status %d (%s), want 400 body is not JSON", ev, body, rec.Code, strings.TrimSpace(rec.Body.String()))
			}
			if len(f.keys) != 0 || len(f.rejected) != 1 {
				t.Errorf("%s %q: enqueued %v, audited %d rejections; want nothing enqueued, one audited", ev, body, f.keys, len(f.rejected))
			}
		}
	}
}

// TestWebhookWrongFieldType: a field a handler reads with the wrong type
// is still a malformed payload (400), not an event acted on.
func TestWebhookWrongFieldType(t *testing.T) {
	for ev, body := range map[string]string{
		"pull_request_review": `{"action":"submitted","pull_request":{"number":"7"},"installation":{"id":1},"repository":{"name":"r","owner":{"login":"o"}}}`,
		"check_run":           `{"action":"rerequested","check_run":{"app":{"id":"42"}}}`,
		"check_suite":         `{"action":"rerequested","check_suite":{"pull_requests":[{"number":true}]}}`,
		"pull_request":        `{"action":"opened","number":1,"sender":{"id":"x"}}`,
		"status":              `{"context":5,"sha":"abc"}`,
		"merge_group":         `{"action":"checks_requested","merge_group":{"head_ref":7},"installation":{"id":1},"repository":{"name":"r","owner":{"login":"o"}}}`,
		"workflow_run":        `{"action":"completed","workflow_run":{"pull_requests":[{"number":"x"}]}}`,
	} {
		s, f := newTestServer(t)
		rec := post(t, s.Handler(), ev, "d-1", []byte(body), Sign(testSecret, []byte(body)))
		if rec.Code != http.StatusBadRequest || len(f.keys) != 0 {
			t.Errorf("%s: status %d (%s), enqueued %v; want 400 and nothing", ev, rec.Code, strings.TrimSpace(rec.Body.String()), f.keys)
		}
	}
}

// TestSimulatorPayloadsDecode: the compact payload types read full
// payloads as the simulator (modelled on GitHub's) renders them: the
// review queues its pull request, the opened pull request records its
// pusher, zgate's own check-run writes are acknowledged and ignored.
func TestSimulatorPayloadsDecode(t *testing.T) {
	payloads := simPayloads(t)
	s, f := newTestServerWith(t, func(c *Config) { c.AppID = ghclienttest.AppID })
	send := func(name, event string, want int) {
		t.Helper()
		body := payloads[name]
		if body == nil {
			t.Fatalf("no %s payload", name)
		}
		rec := post(t, s.Handler(), event, "d-"+name, body, Sign(testSecret, body))
		if rec.Code != want {
			t.Errorf("%s: status %d (%s), want %d", name, rec.Code, strings.TrimSpace(rec.Body.String()), want)
		}
	}
	send("pull_request_review.submitted", "pull_request_review", http.StatusAccepted)
	send("check_run.created", "check_run", http.StatusOK)
	send("check_run.completed", "check_run", http.StatusOK)
	send("pull_request.opened", "pull_request", http.StatusAccepted)
	if len(f.keys) != 2 {
		t.Fatalf("queued %v, want the pull request twice", f.keys)
	}
	for _, k := range f.keys {
		if k.Owner != "acme" || k.Repo != "payments" || k.Number != 1 || k.Installation == 0 {
			t.Errorf("queued %+v, want acme/payments#1 of an installation", k)
		}
	}
	if len(f.pushes) != 1 {
		t.Fatalf("pushes %+v, want alice's push of the head", f.pushes)
	}
	p := f.pushes[0]
	if p.Sender != "alice" || p.SenderID == 0 || p.RepoID == 0 || p.Number != 1 || len(p.HeadSHA) != 40 {
		t.Errorf("push %+v, want alice (with her id) pushing a 40-hex head of #1 of the repository's id", p)
	}
}

// TestWebhookNamesMatchExactly: payload member names match as GitHub
// spells them (ghjson), not case-insensitively as encoding/json did: a
// review whose "ACTION" is "submitted" has no action and is ignored,
// while the same review spelled right is queued, and a duplicated member
// counts once, the last one winning.
func TestWebhookNamesMatchExactly(t *testing.T) {
	const rest = `"pull_request":{"number":7},"installation":{"id":1},"repository":{"name":"r","owner":{"login":"o"}}}`
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"exact", `{"action":"submitted",` + rest, http.StatusAccepted},
		{"upper case", `{"ACTION":"submitted",` + rest, http.StatusOK},
		{"capitalized", `{"Action":"submitted",` + rest, http.StatusOK},
		{"duplicate, last ignored", `{"action":"submitted","action":"requested",` + rest, http.StatusOK},
		{"duplicate, last handled", `{"action":"requested","action":"submitted",` + rest, http.StatusAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, f := newTestServer(t)
			body := []byte(tc.body)
			rec := post(t, s.Handler(), "pull_request_review", "d-1", body, Sign(testSecret, body))
			if rec.Code != tc.want {
				t.Errorf("status %d (%s), want %d", rec.Code, strings.TrimSpace(rec.Body.String()), tc.want)
			}
			if queued := len(f.keys) > 0; queued != (tc.want == http.StatusAccepted) {
				t.Errorf("queued %v, want queued: %v", f.keys, tc.want == http.StatusAccepted)
			}
		})
	}
}
