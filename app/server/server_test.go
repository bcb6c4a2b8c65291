package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/store"
)

var testSecret = []byte("s3cret")

// fakeBackend records what the server asks of the store, queue and audit.
type fakeBackend struct {
	mu          sync.Mutex
	seen        map[string]bool
	keys        []store.PRKey
	rejected    []Rejection
	invalidated []string
	enqueueErr  error
	pushes      []store.Push
	pushErr     error
	commands    []store.Command
	removed     []store.RemovedReview
	deployments []store.Deployment
}

// Intake stores all of in or, failing, nothing, as the store does.
func (f *fakeBackend) Intake(_ context.Context, in store.Intake) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pushErr != nil && len(in.Pushes) > 0 {
		return false, f.pushErr
	}
	if f.enqueueErr != nil && len(in.Jobs) > 0 {
		return false, f.enqueueErr
	}
	f.pushes = append(f.pushes, in.Pushes...)
	f.keys = append(f.keys, in.Jobs...)
	f.commands = append(f.commands, in.Commands...)
	f.removed = append(f.removed, in.RemovedReviews...)
	f.deployments = append(f.deployments, in.Deployments...)
	if in.Delivery == "" {
		return false, nil
	}
	if f.seen[in.Delivery] {
		return false, nil
	}
	f.seen[in.Delivery] = true
	return true, nil
}

func (f *fakeBackend) WebhookRejected(_ context.Context, r Rejection) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected = append(f.rejected, r)
	return nil
}

func newTestServer(t *testing.T) (*Server, *fakeBackend) {
	t.Helper()
	return newTestServerWith(t, nil)
}

// newTestServerWith is newTestServer with edit applied to the config.
func newTestServerWith(t *testing.T, edit func(*Config)) (*Server, *fakeBackend) {
	t.Helper()
	f := &fakeBackend{seen: map[string]bool{}}
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Secret: testSecret, AppID: 42, BotLogin: "zgate[bot]",
		Intake: f, Audit: f, Metrics: m, Gatherer: reg,
		Invalidate: func(org, team string) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.invalidated = append(f.invalidated, org+"/"+team)
		},
		Uninstalled: func(id int64) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.invalidated = append(f.invalidated, fmt.Sprintf("uninstalled %d", id))
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, f
}

func readPayload(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func post(t *testing.T, h http.Handler, event, delivery string, body []byte, sig string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if event != "" {
		req.Header.Set("X-GitHub-Event", event)
	}
	if delivery != "" {
		req.Header.Set("X-GitHub-Delivery", delivery)
	}
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestWebhookEvents(t *testing.T) {
	pr := func(n int) store.PRKey {
		return store.PRKey{Installation: 7, Owner: "acme", Repo: "payments", Number: n}
	}
	tests := []struct {
		name, event, file string
		wantStatus        int
		wantKeys          []store.PRKey
		// wantInvalidated lists cache drops: "org/team" or "uninstalled ID".
		wantInvalidated []string
	}{
		{"pull request opened", "pull_request", "pull_request_opened.json", 202, []store.PRKey{pr(12)}, nil},
		{"title edit ignored", "pull_request", "pull_request_edited_title.json", 200, nil, nil},
		{"base edit", "pull_request", "pull_request_edited_base.json", 202, []store.PRKey{pr(12)}, nil},
		{"own event ignored", "pull_request", "pull_request_from_bot.json", 200, nil, nil},
		{"review submitted", "pull_request_review", "pull_request_review_submitted.json", 202, []store.PRKey{pr(12)}, nil},
		{"override comment", "issue_comment", "issue_comment_override.json", 202, []store.PRKey{pr(12)}, nil},
		{"plain comment ignored", "issue_comment", "issue_comment_plain.json", 200, nil, nil},
		{"issue comment ignored", "issue_comment", "issue_comment_on_issue.json", 200, nil, nil},
		{"check run rerequested", "check_run", "check_run_rerequested.json", 202, []store.PRKey{pr(12), pr(13)}, nil},
		{"other app's check run", "check_run", "check_run_other_app.json", 200, nil, nil},
		{"own check run completed", "check_run", "check_run_completed.json", 200, nil, nil},
		{"workflow run completed", "workflow_run", "workflow_run_completed.json", 202, []store.PRKey{pr(12)}, nil},
		{"push changing CODEOWNERS", "push", "push_codeowners.json", 202, []store.PRKey{pr(engine.RepoNumber)}, nil},
		{"push of other files", "push", "push_other.json", 200, nil, nil},
		{"push of a tag", "push", "push_tag.json", 200, nil, nil},
		{"membership", "membership", "membership_added.json", 200, nil, []string{"acme/sre"}},
		{"repositories added", "installation_repositories", "installation_repositories_added.json", 202, []store.PRKey{pr(engine.RepoNumber)}, nil},
		{"status claiming a gate", "status", "status_claims_gate.json", 202, []store.PRKey{pr(engine.RepoNumber)}, nil},
		{"status claiming a per-base error check", "status", "status_claims_error_check.json", 202, []store.PRKey{pr(engine.RepoNumber)}, nil},
		{"status of CI", "status", "status_ci.json", 200, nil, nil},
		{"merge group checks requested", "merge_group", "merge_group_checks_requested.json", 202, []store.PRKey{pr(engine.MergeQueueNumber)}, nil},
		{"merge group destroyed", "merge_group", "merge_group_destroyed.json", 200, nil, nil},
		{"installation deleted", "installation", "installation_deleted.json", 200, nil, []string{"uninstalled 7"}},
		{"ping", "ping", "ping.json", 200, nil, nil},
		{"unsubscribed event", "star", "ping.json", 200, nil, nil},
		{"no installation", "pull_request", "pull_request_no_installation.json", 200, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, f := newTestServer(t)
			body := readPayload(t, tt.file)
			rec := post(t, s.Handler(), tt.event, "d-1", body, Sign(testSecret, body))
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d (%s), want %d", rec.Code, strings.TrimSpace(rec.Body.String()), tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantKeys, f.keys); diff != "" {
				t.Errorf("enqueued keys (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantInvalidated, f.invalidated); diff != "" {
				t.Errorf("invalidated (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWebhookRejects(t *testing.T) {
	body := readPayload(t, "pull_request_opened.json")
	good := Sign(testSecret, body)
	sha1 := "sha1=0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name, event, delivery, sig string
		body                       []byte
		wantStatus                 int
	}{
		{"no signature", "pull_request", "d-1", "", body, http.StatusUnauthorized},
		{"sha1 signature only", "pull_request", "d-1", sha1, body, http.StatusUnauthorized},
		{"wrong secret", "pull_request", "d-1", Sign([]byte("other"), body), body, http.StatusUnauthorized},
		{"not hex", "pull_request", "d-1", "sha256=zz", body, http.StatusUnauthorized},
		{"tampered body", "pull_request", "d-1", good, append(bytes.Clone(body), ' '), http.StatusUnauthorized},
		{"no event header", "", "d-1", good, body, http.StatusBadRequest},
		{"no delivery header", "pull_request", "", good, body, http.StatusBadRequest},
		{"not JSON", "pull_request", "d-1", Sign(testSecret, []byte("{")), []byte("{"), http.StatusBadRequest},
		{"wrong JSON shape", "pull_request", "d-1", Sign(testSecret, []byte(`{"number":"x"}`)), []byte(`{"number":"x"}`), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, f := newTestServer(t)
			rec := post(t, s.Handler(), tt.event, tt.delivery, tt.body, tt.sig)
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d (%s), want %d", rec.Code, strings.TrimSpace(rec.Body.String()), tt.wantStatus)
			}
			if len(f.keys) != 0 {
				t.Errorf("enqueued %v, want nothing", f.keys)
			}
			if len(f.rejected) != 1 || f.rejected[0].Status != tt.wantStatus {
				t.Errorf("audited rejections = %+v, want one with status %d", f.rejected, tt.wantStatus)
			}
		})
	}
}

func TestWebhookTooLarge(t *testing.T) {
	s, f := newTestServer(t)
	body := bytes.Repeat([]byte(" "), MaxBodyBytes+1)
	rec := post(t, s.Handler(), "pull_request", "d-1", body, Sign(testSecret, body))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", rec.Code)
	}
	if len(f.rejected) != 1 {
		t.Errorf("audited rejections = %d, want 1", len(f.rejected))
	}
}

func TestWebhookReplay(t *testing.T) {
	s, _ := newTestServer(t)
	body := readPayload(t, "pull_request_opened.json")
	sig := Sign(testSecret, body)
	if rec := post(t, s.Handler(), "pull_request", "d-1", body, sig); rec.Code != http.StatusAccepted {
		t.Fatalf("first delivery: status = %d, want 202", rec.Code)
	}
	rec := post(t, s.Handler(), "pull_request", "d-1", body, sig)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "duplicate") {
		t.Errorf("replay: status = %d body %q, want 200 duplicate", rec.Code, rec.Body.String())
	}
}

func TestWebhookEnqueueFails(t *testing.T) {
	s, f := newTestServer(t)
	f.enqueueErr = errors.New("disk full")
	body := readPayload(t, "pull_request_opened.json")
	rec := post(t, s.Handler(), "pull_request", "d-1", body, Sign(testSecret, body))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", rec.Code)
	}
	if f.seen["d-1"] {
		t.Errorf("delivery recorded although nothing was enqueued; a redelivery would be dropped")
	}
}

func TestHealthAndMetrics(t *testing.T) {
	s, _ := newTestServer(t)
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, rec.Code)
		}
	}
	s.cfg.Ready = func(context.Context) error { return errors.New("db down") }
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with the store down = %d, want 503", rec.Code)
	}
}

func FuzzWebhook(f *testing.F) {
	for _, seed := range [][2]string{
		{"pull_request", "pull_request_opened.json"},
		{"push", "push_codeowners.json"},
		{"check_run", "check_run_rerequested.json"},
		{"installation_repositories", "installation_repositories_added.json"},
		{"issue_comment", "issue_comment_override.json"},
		{"membership", "membership_added.json"},
		{"status", "status_claims_gate.json"},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", seed[1]))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed[0], b)
	}
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		s, _ := newTestServer(t)
		rec := post(t, s.Handler(), event, "d-1", body, Sign(testSecret, body))
		switch rec.Code {
		case 200, 202, 400:
		default:
			t.Errorf("status = %d for event %q", rec.Code, event)
		}
	})
}
