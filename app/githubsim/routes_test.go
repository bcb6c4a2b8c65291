package githubsim

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

var (
	recordFile = flag.String("record", "", "write the exchanges of TestEveryRoute to this file (JSON lines), for checking against GitHub's OpenAPI description")
	hooksFile  = flag.String("hooks", "", "write the webhooks TestEveryRoute caused to this file (JSON lines {event, payload}), for checking against GitHub's webhook schemas")
)

// TestEveryRoute calls every REST route, successes and documented
// failures, and checks each was reached. With -record=FILE it leaves the
// exchanges for an OpenAPI conformance check.
func TestEveryRoute(t *testing.T) {
	var out io.Writer = io.Discard
	if *recordFile != "" {
		f, err := os.Create(*recordFile)
		must(t, err)
		defer f.Close()
		out = f
	}
	e := newEnv(t, Options{Record: out})
	n, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	rid, err := e.sim.SubmitReview("acme", "payments", n, "bob", "APPROVE", "ok")
	must(t, err)
	cid, err := e.sim.Comment("acme", "payments", n, "carol", "hello")
	must(t, err)
	must(t, e.sim.AddTeamMember("acme", "sre", "bob", "active"))
	stmt := base64.StdEncoding.EncodeToString([]byte(`{"predicateType":"https://slsa.dev/provenance/v1"}`))
	digest := "sha256:" + strings.Repeat("ab", 32)
	must(t, e.sim.AddAttestation("acme", "payments", digest, json.RawMessage(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":{"payload":"`+stmt+`","payloadType":"application/vnd.in-toto+json","signatures":[]}}`)))

	call := func(c *github.Client, do func(*http.Request) (int, []byte), method, path string, body any, want int) []byte {
		t.Helper()
		req, err := c.NewRequest(method, strings.TrimPrefix(path, "/"), body)
		must(t, err)
		got, b := do(req)
		if got != want {
			t.Errorf("%s %s = %d, want %d: %s", method, path, got, want, b)
		}
		return b
	}
	doWith := func(hc *http.Client) func(*http.Request) (int, []byte) {
		return func(req *http.Request) (int, []byte) {
			resp, err := hc.Do(req)
			must(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b
		}
	}
	gh := func(method, path string, body any, want int) []byte {
		t.Helper()
		return call(e.gh, doWith(e.gh.Client()), method, path, body, want)
	}
	app := e.appClient(t)
	jwt := func(method, path string, body any, want int) []byte {
		t.Helper()
		return call(app, doWith(app.Client()), method, path, body, want)
	}
	inst := e.sim.InstallationID("acme")
	repo := "/repos/acme/payments"

	jwt("GET", "/app", nil, 200)
	jwt("GET", "/app/installations", nil, 200)
	jwt("GET", fmt.Sprintf("/app/installations/%d", inst), nil, 200)
	jwt("POST", fmt.Sprintf("/app/installations/%d/access_tokens", inst), nil, 201)
	jwt("POST", "/app/installations/1/access_tokens", nil, 404)
	e.sim.WaitDeliveries()
	jwt("GET", "/app/hook/deliveries?per_page=2", nil, 200)
	jwt("GET", "/app/hook/deliveries/1", nil, 200)
	jwt("GET", "/app/hook/deliveries/999999", nil, 404)
	jwt("POST", "/app/hook/deliveries/1/attempts", nil, 202)
	jwt("POST", "/app/hook/deliveries/999999/attempts", nil, 404)
	jwt("GET", repo+"/installation", nil, 200)
	jwt("GET", "/orgs/acme/installation", nil, 200)

	gh("GET", repo, nil, 200)
	gh("GET", "/installation/repositories", nil, 200)
	gh("GET", "/repos/acme/nope", nil, 404)
	gh("GET", repo+"/branches/main", nil, 200)
	gh("GET", repo+"/contents/README.md?ref=main", nil, 200)
	gh("GET", repo+"/contents/deploy", nil, 200)
	gh("GET", repo+"/commits/"+head, nil, 200)
	gh("GET", repo+"/commits/"+head+"/pulls", nil, 200)
	gh("GET", repo+"/pulls?state=all&base=main", nil, 200)
	gh("GET", fmt.Sprintf("%s/pulls/%d", repo, n), nil, 200)
	gh("GET", fmt.Sprintf("%s/pulls/%d/files", repo, n), nil, 200)
	gh("GET", fmt.Sprintf("%s/pulls/%d/commits", repo, n), nil, 200)
	gh("GET", fmt.Sprintf("%s/pulls/%d/reviews", repo, n), nil, 200)
	gh("GET", fmt.Sprintf("%s/pulls/%d/reviews/%d", repo, n, rid), nil, 200)
	gh("GET", fmt.Sprintf("%s/issues/%d/comments", repo, n), nil, 200)
	gh("GET", fmt.Sprintf("%s/issues/%d/timeline", repo, n), nil, 200)
	gh("POST", fmt.Sprintf("%s/issues/%d/comments", repo, n), map[string]string{"body": "zgate says hi"}, 201)
	gh("PATCH", fmt.Sprintf("%s/issues/comments/%d", repo, cid), map[string]string{"body": "hello again"}, 200)
	gh("PATCH", fmt.Sprintf("%s/issues/comments/%d", repo, cid), map[string]string{"body": ""}, 422)
	gh("PATCH", repo+"/issues/comments/1", map[string]string{"body": "x"}, 404)
	gh("POST", fmt.Sprintf("%s/issues/comments/%d/reactions", repo, cid), map[string]string{"content": "eyes"}, 201)
	gh("POST", fmt.Sprintf("%s/issues/comments/%d/reactions", repo, cid), map[string]string{"content": "eyes"}, 200)
	gh("POST", fmt.Sprintf("%s/issues/comments/%d/reactions", repo, cid), map[string]string{"content": "nope"}, 422)
	gh("GET", fmt.Sprintf("%s/issues/comments/%d/reactions", repo, cid), nil, 200)
	gh("POST", fmt.Sprintf("%s/pulls/%d/requested_reviewers", repo, n), map[string]any{"team_reviewers": []string{"sre"}}, 201)
	gh("POST", fmt.Sprintf("%s/pulls/%d/requested_reviewers", repo, n), map[string]any{"team_reviewers": []string{"ghosts"}}, 422)
	gh("GET", fmt.Sprintf("%s/pulls/%d/requested_reviewers", repo, n), nil, 200)
	gh("DELETE", fmt.Sprintf("%s/pulls/%d/requested_reviewers", repo, n), map[string]any{"team_reviewers": []string{"sre"}}, 200)
	gh("GET", "/orgs/acme/teams/sre", nil, 200)
	gh("GET", "/orgs/acme/teams/sre/memberships/bob", nil, 200)
	gh("GET", "/orgs/acme/teams/sre/memberships/eve", nil, 404)
	gh("GET", "/orgs/acme/teams/sre/members", nil, 200)

	var cr struct {
		ID int64 `json:"id"`
	}
	must(t, json.Unmarshal(gh("POST", repo+"/check-runs", map[string]any{"name": "zgate/prod", "head_sha": head, "status": "in_progress",
		"output": map[string]string{"title": "Pending", "summary": "waiting"}}, 201), &cr))
	gh("POST", repo+"/check-runs", map[string]any{"name": "zgate/prod", "head_sha": head, "output": map[string]string{"title": "t", "summary": strings.Repeat("x", maxOutput+1)}}, 422)
	gh("PATCH", fmt.Sprintf("%s/check-runs/%d", repo, cr.ID), map[string]any{"conclusion": "success"}, 200)
	gh("GET", fmt.Sprintf("%s/check-runs/%d", repo, cr.ID), nil, 200)
	gh("POST", fmt.Sprintf("%s/check-runs/%d/rerequest", repo, cr.ID), nil, 201)
	gh("GET", repo+"/commits/"+head+"/check-runs?check_name=zgate/prod", nil, 200)
	gh("GET", fmt.Sprintf("%s/check-runs/%d/annotations", repo, cr.ID), nil, 200)
	gh("GET", repo+"/git/trees/"+head+"?recursive=1", nil, 200)
	gh("GET", repo+"/git/trees/"+strings.Repeat("0", 40), nil, 404)
	gh("GET", repo+"/commits/"+head+"/check-suites", nil, 200)
	gh("GET", repo+"/commits/"+strings.Repeat("0", 40)+"/check-suites", nil, 422)
	gh("POST", repo+"/statuses/"+head, map[string]string{"state": "success", "context": "zgate/prod", "description": "open"}, 201)
	gh("POST", repo+"/statuses/"+head, map[string]string{"state": "success", "description": strings.Repeat("d", 141)}, 422)
	gh("GET", repo+"/commits/"+head+"/status", nil, 200)
	gh("GET", repo+"/commits/"+head+"/statuses", nil, 200)
	gh("POST", repo+"/actions/workflows/deploy.yml/dispatches", map[string]any{"ref": "main", "inputs": map[string]string{"zgate_id": "zg-1"}}, 204)
	gh("POST", repo+"/actions/workflows/deploy.yml/dispatches", map[string]any{"ref": "main", "return_run_details": true}, 200)
	gh("POST", repo+"/actions/workflows/deploy.yml/dispatches", map[string]any{"ref": "nope"}, 422)
	gh("GET", repo+"/actions/runs", nil, 200)
	gh("POST", repo+"/dispatches", map[string]any{"event_type": "zgate", "client_payload": map[string]int{"pr": n}}, 204)
	gh("GET", repo+"/attestations/"+digest, nil, 200)
	gh("POST", repo+"/attestations", map[string]any{"bundle": map[string]string{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}}, 422)
	must(t, e.sim.CreateTag("acme", "payments", "v1.0.0", "main"))
	_, err = e.sim.CreateRelease("acme", "payments", "v1.0.0", "octocat", map[string][]byte{"checksums.txt": []byte("x\n")})
	must(t, err)
	var rel struct{ Assets []struct{ ID int64 } }
	must(t, json.Unmarshal(gh("GET", repo+"/releases/tags/v1.0.0", nil, 200), &rel))
	gh("GET", repo+"/releases/tags/v0.0.1", nil, 404)
	gh("GET", fmt.Sprintf("%s/releases/assets/%d", repo, rel.Assets[0].ID), nil, 200)
	gh("GET", repo+"/rules/branches/main", nil, 200)
	gh("GET", repo+"/git/matching-refs/heads/ma", nil, 200)
	gh("GET", repo+"/git/commits/"+head, nil, 200)
	gh("GET", repo+"/git/commits/"+strings.Repeat("0", 40), nil, 404)
	gh("POST", "../graphql", map[string]any{"query": "query{viewer{login}}"}, 200)
	gh("POST", repo+"/git/refs", map[string]string{"ref": "refs/zgate/" + head + "/prod/main", "sha": head}, 201)
	gh("POST", repo+"/git/refs", map[string]string{"ref": "refs/zgate/" + head + "/prod/main", "sha": head}, 422)
	gh("GET", repo+"/git/ref/zgate/"+head+"/prod/main", nil, 200)
	gh("GET", repo+"/git/ref/heads/main", nil, 200)
	gh("GET", repo+"/git/ref/zgate/nope", nil, 404)
	gh("DELETE", repo+"/git/refs/zgate/"+head+"/prod/main", nil, 204)
	gh("DELETE", repo+"/git/refs/zgate/"+head+"/prod/main", nil, 422)

	gh("GET", fmt.Sprintf("%s/pulls/%d/merge", repo, n), nil, 404)
	gh("PUT", fmt.Sprintf("%s/pulls/%d/merge", repo, n), map[string]string{"sha": strings.Repeat("0", 40)}, 409)
	must(t, e.sim.SetDraft("acme", "payments", n, true))
	gh("PUT", fmt.Sprintf("%s/pulls/%d/merge", repo, n), map[string]string{"sha": head}, 405)
	must(t, e.sim.SetDraft("acme", "payments", n, false))
	gh("PUT", fmt.Sprintf("%s/pulls/%d/merge", repo, n), map[string]string{"sha": head, "merge_method": "squash"}, 200)
	gh("GET", fmt.Sprintf("%s/pulls/%d/merge", repo, n), nil, 204)
	gh("GET", "/user", nil, 403) // an installation token is no user (oauth.go)
	gh("PUT", fmt.Sprintf("%s/pulls/%d/reviews/%d/dismissals", repo, n, rid), map[string]string{"message": "stale", "event": "DISMISS"}, 200)

	must(t, e.sim.RerequestCheckRun("acme", "payments", cr.ID, "alice"))
	must(t, e.sim.SetStatus("acme", "payments", head, "pending", "ci", "building", "ci-bot"))
	must(t, e.sim.AddLabel("acme", "payments", n, "prod", "alice"))
	must(t, e.sim.AddEnvironment("acme", "payments", "production"))
	dep, err := e.sim.StartDeployment("acme", "payments", DeploymentOptions{Environment: "production", Ref: "scale", SHA: head, Creator: "dan"})
	must(t, err)
	gh("GET", repo+"/environments", nil, 200)
	gh("GET", repo+"/deployments?sha="+head, nil, 200)
	answer := fmt.Sprintf("%s/actions/runs/%d/deployment_protection_rule", repo, dep.RunID)
	gh("POST", answer, map[string]string{"environment_name": "production", "state": "approved", "comment": "ok"}, 204)
	gh("POST", answer, map[string]string{"environment_name": "production", "state": "approved"}, 422)
	gh("POST", fmt.Sprintf("%s/actions/runs/%d/deployment_protection_rule", repo, dep.RunID+999), map[string]string{"environment_name": "production", "state": "approved"}, 404)
	must(t, e.sim.RemoveTeamMember("acme", "sre", "bob"))
	if d := e.sim.Dispatches("acme", "payments"); len(d) > 0 {
		must(t, e.sim.CompleteRun("acme", "payments", d[0].RunID, "success"))
	}
	e.sim.WaitDeliveries()
	if *hooksFile != "" {
		f, err := os.Create(*hooksFile)
		must(t, err)
		defer f.Close()
		enc := json.NewEncoder(f)
		e.hooks.mu.Lock()
		for _, h := range e.hooks.hooks {
			must(t, enc.Encode(map[string]any{"event": h.Event, "payload": h.Payload}))
		}
		e.hooks.mu.Unlock()
	}

	calls := e.sim.Calls()
	var missed []string
	for _, p := range e.sim.patterns {
		if calls[p] == 0 {
			missed = append(missed, p)
		}
	}
	slices.Sort(missed)
	if len(missed) > 0 {
		t.Errorf("routes never called:\n%s", strings.Join(missed, "\n"))
	}
}
