package githubsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

func TestWebhooks(t *testing.T) {
	e := newEnv(t, Options{})
	n, _ := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	id, err := e.sim.SubmitReview("acme", "payments", n, "bob", "APPROVE", "")
	must(t, err)
	_, err = e.sim.Push("acme", "payments", "scale", map[string]string{"x": "1"}, nil, "alice")
	must(t, err)
	must(t, e.sim.DismissReview("acme", "payments", n, id, "stale"))
	_, err = e.sim.Comment("acme", "payments", n, "carol", "/zgate override: hotfix")
	must(t, err)
	must(t, e.sim.AddLabel("acme", "payments", n, "prod", "alice"))
	must(t, e.sim.SetDraft("acme", "payments", n, true))
	must(t, e.sim.SetDraft("acme", "payments", n, false))
	_, err = e.sim.Push("acme", "payments", "release", nil, nil, "carol")
	must(t, err)
	must(t, e.sim.ChangeBase("acme", "payments", n, "release", "alice"))
	must(t, e.sim.ClosePR("acme", "payments", n, "alice"))
	must(t, e.sim.ReopenPR("acme", "payments", n, "alice"))

	want := []string{
		"push", "pull_request.opened", "pull_request_review.submitted",
		"push", "pull_request.synchronize", "pull_request_review.dismissed",
		"issue_comment.created", "pull_request.labeled",
		"pull_request.converted_to_draft", "pull_request.ready_for_review",
		"push", "pull_request.edited", "pull_request.closed", "pull_request.reopened",
	}
	if diff := cmp.Diff(want, e.hooks.events()); diff != "" {
		t.Errorf("webhooks (-want +got):\n%s", diff)
	}
	ed := e.hooks.hooks[len(e.hooks.hooks)-3].Payload
	if from := ed["changes"].(map[string]any)["base"].(map[string]any)["ref"].(map[string]any)["from"]; from != "main" {
		t.Errorf("edited changes.base.ref.from = %v, want main", from)
	}
	if base := ed["pull_request"].(map[string]any)["base"].(map[string]any)["ref"]; base != "release" {
		t.Errorf("edited pull_request.base.ref = %v, want release", base)
	}
	c := e.hooks.last("issue_comment").Payload
	if c["issue"].(map[string]any)["pull_request"] == nil || c["comment"].(map[string]any)["body"] != "/zgate override: hotfix" {
		t.Errorf("issue_comment payload lacks issue.pull_request or body: %v", c)
	}
	r := e.hooks.last("pull_request_review").Payload
	if r["review"].(map[string]any)["state"] != "dismissed" { // webhooks use lower case
		t.Errorf("dismissed review state = %v", r["review"].(map[string]any)["state"])
	}
	inst := r["installation"].(map[string]any)["id"].(float64)
	if int64(inst) != e.sim.InstallationID("acme") {
		t.Errorf("installation.id = %v, want %d", inst, e.sim.InstallationID("acme"))
	}

	if _, err := e.sim.SubmitReview("acme", "payments", n, "alice", "APPROVE", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("author approving their own PR: err = %v, want ErrInvalid", err)
	}
	ds := e.sim.Deliveries()
	if len(ds) != len(want) || ds[0].StatusCode != http.StatusAccepted || ds[0].ID == "" {
		t.Fatalf("deliveries = %+v", ds)
	}
	e.hooks.reset()
	d, err := e.sim.Redeliver(ds[1].ID)
	must(t, err)
	if h := e.hooks.last("pull_request"); h.Delivery != ds[1].ID || d.ID != ds[1].ID {
		t.Errorf("redelivery id = %s, want %s", h.Delivery, ds[1].ID)
	}
}

func TestWebhookFailures(t *testing.T) {
	e := newEnv(t, Options{})
	e.hooks.status = http.StatusInternalServerError
	_, err := e.sim.Push("acme", "payments", "main", map[string]string{"x": "1"}, nil, "alice")
	must(t, err)
	e.sim.SetWebhookURL("http://127.0.0.1:1/unreachable")
	_, err = e.sim.Push("acme", "payments", "main", map[string]string{"x": "2"}, nil, "alice")
	must(t, err)
	ds := e.sim.Deliveries()
	if len(ds) != 2 || ds[0].StatusCode != 500 || ds[1].StatusCode != 0 || ds[1].Err == "" {
		t.Errorf("deliveries = %+v, want a 500 then an unreachable one", ds)
	}
}

func TestControlAPI(t *testing.T) {
	e := newEnv(t, Options{})
	post := func(path string, body any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		resp, err := http.Post(e.srv.URL+"/_sim/"+path, "application/json", bytes.NewReader(b))
		must(t, err)
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	steps := []struct {
		path string
		body map[string]any
		want int
	}{
		{"repos", map[string]any{"owner": "acme", "name": "infra", "files": map[string]string{"a": "b"}}, 200},
		{"repos", map[string]any{"owner": "acme", "name": "infra"}, 409},
		{"push", map[string]any{"owner": "acme", "repo": "infra", "branch": "f", "files": map[string]string{"a": "c"}, "author": "alice"}, 200},
		{"pulls", map[string]any{"owner": "acme", "repo": "infra", "head": "f", "author": "alice"}, 200},
		{"reviews", map[string]any{"owner": "acme", "repo": "infra", "number": 1, "user": "bob", "state": "APPROVE"}, 200},
		{"reviews", map[string]any{"owner": "acme", "repo": "infra", "number": 1, "user": "bob", "state": "LOVE"}, 400},
		{"reviews", map[string]any{"owner": "acme", "repo": "infra", "number": 9, "user": "bob", "state": "APPROVE"}, 404},
		{"team-members", map[string]any{"org": "acme", "team": "sre", "user": "bob"}, 200},
		{"faults", map[string]any{"error_rate": 0}, 200},
		{"calls/reset", nil, 200},
	}
	for _, s := range steps {
		if got, out := post(s.path, s.body); got != s.want {
			t.Errorf("POST /_sim/%s = %d %v, want %d", s.path, got, out, s.want)
		}
	}
	resp, err := http.Get(e.srv.URL + "/_sim/pull?owner=acme&repo=infra&number=1")
	must(t, err)
	var st PRState
	must(t, json.NewDecoder(resp.Body).Decode(&st))
	resp.Body.Close()
	if st.State != "open" || st.HeadSHA == "" {
		t.Errorf("GET /_sim/pull = %+v", st)
	}
	if m, _, err := e.gh.Teams.GetTeamMembershipBySlug(context.Background(), "acme", "sre", "bob"); err != nil || m.GetState() != "active" {
		t.Errorf("membership via control API: %v %v", m, err)
	}
}

// TestHookDeliveriesAPI: every attempt, failed ones too, is listed newest
// first with cursor pagination, and a redelivery asked for through the
// API goes out again under the same GUID.
func TestHookDeliveriesAPI(t *testing.T) {
	e := newEnv(t, Options{})
	app := e.appClient(t)
	ctx := context.Background()
	e.hooks.status = http.StatusServiceUnavailable
	for i := range 3 {
		_, err := e.sim.Push("acme", "payments", "main", map[string]string{"x": fmt.Sprint(i)}, nil, "alice")
		must(t, err)
	}
	e.sim.WaitDeliveries()
	var all []*github.HookDelivery
	opts := &github.ListCursorOptions{PerPage: 2}
	for pages := 0; ; pages++ {
		page, resp, err := app.Apps.ListHookDeliveries(ctx, opts)
		must(t, err)
		all = append(all, page...)
		if resp.Cursor == "" || pages > 5 {
			break
		}
		opts.Cursor = resp.Cursor
	}
	if len(all) != 3 {
		t.Fatalf("listed %d deliveries over cursor pages, want 3", len(all))
	}
	if all[0].GetID() <= all[2].GetID() || all[0].GetStatusCode() != 503 || all[0].GetGUID() == "" ||
		all[0].GetInstallationID() != e.sim.InstallationID("acme") || all[0].GetRepositoryID() == 0 || all[0].GetRedelivery() {
		t.Errorf("deliveries = %v, want newest first, status 503, with guid, installation and repository", all)
	}
	e.hooks.status = 0
	e.hooks.reset()
	_, _, err := app.Apps.RedeliverHookDelivery(ctx, all[2].GetID())
	var accepted *github.AcceptedError
	if !errors.As(err, &accepted) {
		t.Fatalf("redeliver: err = %v, want 202 Accepted", err)
	}
	e.sim.WaitDeliveries()
	if h := e.hooks.last("push"); h.Delivery != all[2].GetGUID() {
		t.Errorf("redelivered with guid %q, want %q", h.Delivery, all[2].GetGUID())
	}
	page, _, err := app.Apps.ListHookDeliveries(ctx, &github.ListCursorOptions{PerPage: 1})
	must(t, err)
	if len(page) != 1 || page[0].GetGUID() != all[2].GetGUID() || !page[0].GetRedelivery() || page[0].GetStatusCode() != 202 {
		t.Errorf("newest delivery after the redelivery = %v, want the same guid, redelivery true, 202", page)
	}
}

// TestDeliveryIDsMatchPayload holds the installation and repository ids
// the deliveries API lists (kept when an event is built) to those in the
// payload each delivery carried.
func TestDeliveryIDsMatchPayload(t *testing.T) {
	e := newEnv(t, Options{})
	n, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	_, err := e.sim.SubmitReview("acme", "payments", n, "bob", "APPROVE", "")
	must(t, err)
	_, err = e.sim.Comment("acme", "payments", n, "carol", "hi")
	must(t, err)
	must(t, e.sim.AddTeamMember("acme", "sre", "bob", "active"))
	must(t, e.sim.SetStatus("acme", "payments", head, "success", "ci", "", "ci-bot"))
	e.sim.Install("other")
	e.sim.WaitDeliveries()
	id := func(p map[string]any, key string) int64 {
		o, _ := p[key].(map[string]any)
		f, _ := o["id"].(float64)
		return int64(f)
	}
	e.hooks.mu.Lock()
	defer e.hooks.mu.Unlock()
	byID := map[string]hook{}
	for _, h := range e.hooks.hooks {
		byID[h.Delivery] = h
	}
	ds := e.sim.Deliveries()
	if len(ds) < 6 || len(ds) != len(byID) {
		t.Fatalf("%d deliveries, %d received; want the same, at least 6", len(ds), len(byID))
	}
	for _, d := range ds {
		h, ok := byID[d.ID]
		if !ok {
			t.Errorf("delivery %s (%s) not received", d.ID, d.Event)
			continue
		}
		if inst, repo := id(h.Payload, "installation"), id(h.Payload, "repository"); d.InstallationID != inst || d.RepositoryID != repo {
			t.Errorf("%s.%s: deliveries API says installation %d, repository %d; payload %d, %d",
				d.Event, d.Action, d.InstallationID, d.RepositoryID, inst, repo)
		}
	}
}
