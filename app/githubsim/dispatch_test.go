package githubsim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestWorkflowDispatch(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	tests := []struct {
		name string
		ev   github.CreateWorkflowDispatchEventRequest
		want int
	}{
		{"with zgate_id", github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]interface{}{"zgate_id": "zg-123", "pr": "7"}}, http.StatusNoContent},
		{"without inputs", github.CreateWorkflowDispatchEventRequest{Ref: "main"}, http.StatusNoContent},
		{"unknown ref", github.CreateWorkflowDispatchEventRequest{Ref: "nope"}, http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := e.gh.Actions.CreateWorkflowDispatchEventByFileName(ctx, "acme", "payments", "deploy.yml", tc.ev)
			if got := statusOf(resp); got != tc.want {
				t.Errorf("status = %d (%v), want %d", got, err, tc.want)
			}
		})
	}
	d := e.sim.Dispatches("acme", "payments")
	if len(d) != 2 || d[0].Workflow != "deploy.yml" || d[0].Inputs["zgate_id"] != "zg-123" {
		t.Fatalf("dispatches = %+v, want two for deploy.yml, the first with zgate_id", d)
	}
	runs, _, err := e.gh.Actions.ListRepositoryWorkflowRuns(ctx, "acme", "payments", &github.ListWorkflowRunsOptions{Event: "workflow_dispatch"})
	must(t, err)
	if runs.GetTotalCount() != 2 || runs.WorkflowRuns[1].GetName() != "zg-123" || runs.WorkflowRuns[1].GetHeadBranch() != "main" {
		t.Errorf("runs = %d, oldest named %q; want 2, oldest named zg-123", runs.GetTotalCount(), runs.WorkflowRuns[1].GetName())
	}
	e.hooks.reset()
	must(t, e.sim.CompleteRun("acme", "payments", d[0].RunID, "success"))
	if h := e.hooks.last("workflow_run"); h.Action != "completed" {
		t.Errorf("workflow_run action = %q, want completed", h.Action)
	}

	_, resp, err := e.gh.Repositories.Dispatch(ctx, "acme", "payments", github.DispatchRequestOptions{EventType: "zgate", ClientPayload: rawJSON(`{"pr":7}`)})
	if statusOf(resp) != http.StatusNoContent {
		// go-github decodes the empty 204 body as a repository; only the status matters.
		t.Errorf("repository dispatch = %d (%v), want 204", statusOf(resp), err)
	}
	if d := e.sim.Dispatches("acme", "payments"); len(d) != 3 || d[2].Kind != "repository" || d[2].EventType != "zgate" {
		t.Errorf("last dispatch = %+v, want repository dispatch zgate", d[len(d)-1])
	}
}

func rawJSON(s string) *json.RawMessage {
	r := json.RawMessage(s)
	return &r
}

func TestAttestations(t *testing.T) {
	e := newEnv(t, Options{})
	digest := "sha256:" + fmt.Sprintf("%064x", 7)
	bundle := func(pt string) json.RawMessage {
		stmt := base64.StdEncoding.EncodeToString([]byte(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"` + pt + `"}`))
		return json.RawMessage(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payload":"` + stmt + `","payloadType":"application/vnd.in-toto+json","signatures":[]}}`)
	}
	for i := range 5 {
		pt := "https://slsa.dev/provenance/v1"
		if i%2 == 1 {
			pt = "https://zgate.dev/ci/v1"
		}
		must(t, e.sim.AddAttestation("acme", "payments", digest, bundle(pt)))
	}
	list := func(query string) (int, []json.RawMessage, string) {
		req, err := e.gh.NewRequest(http.MethodGet, "repos/acme/payments/attestations/"+digest+query, nil)
		must(t, err)
		var body struct {
			Attestations []struct {
				Bundle       json.RawMessage `json:"bundle"`
				RepositoryID int64           `json:"repository_id"`
				BundleURL    string          `json:"bundle_url"`
			} `json:"attestations"`
		}
		resp, err := e.gh.Do(context.Background(), req, &body)
		var out []json.RawMessage
		for _, a := range body.Attestations {
			out = append(out, a.Bundle)
		}
		if err != nil {
			return statusOf(resp), nil, ""
		}
		return resp.StatusCode, out, resp.After
	}
	tests := []struct {
		name      string
		query     string
		wantCount int
		wantNext  bool
	}{
		{"all", "", 5, false},
		{"predicate filter", "?predicate_type=https://zgate.dev/ci/v1", 2, false},
		{"provenance shorthand", "?predicate_type=provenance", 3, false},
		{"first page", "?per_page=2", 2, true},
		{"unknown digest has none", "x", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, got, next := list(tc.query)
			if status != http.StatusOK || len(got) != tc.wantCount || (next != "") != tc.wantNext {
				t.Errorf("status %d, %d bundles, next %q; want 200, %d, next %v", status, len(got), next, tc.wantCount, tc.wantNext)
			}
		})
	}
	// Follow the cursor to the end.
	seen, query := 0, "?per_page=2"
	for range 10 {
		_, got, next := list(query)
		seen += len(got)
		if next == "" {
			break
		}
		query = "?per_page=2&after=" + next
	}
	if seen != 5 {
		t.Errorf("paged through %d bundles, want 5", seen)
	}
	if status, _, _ := list("?after=bogus"); status != http.StatusBadRequest {
		t.Errorf("bad cursor = %d, want 400", status)
	}
}
