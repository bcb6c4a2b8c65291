package act

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

const (
	owner    = "acme"
	repoName = "payments"
	mergeAPI = "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge"
	wfAPI    = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"
	repoAPI  = "POST /repos/{owner}/{repo}/dispatches"
)

// fixture is a simulator with acme/payments, one open PR and a store.
type fixture struct {
	env   *ghclienttest.Env
	gh    *github.Client
	store *store.Store
	x     *Executor
	key   store.PRKey
	head  string
	pr    policy.PullRequest
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := ghclienttest.New(t, nil)
	sim := env.Sim
	if err := sim.CreateRepo(owner, repoName, map[string]string{"README.md": "hi\n"}); err != nil {
		t.Fatal(err)
	}
	head, err := sim.Push(owner, repoName, "feature", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"}, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	n, err := sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "feature", Base: "main", Title: "scale", Author: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &fixture{
		env: env, gh: env.Client(t, owner), store: st,
		x:    &Executor{Store: st},
		key:  store.PRKey{Installation: sim.InstallationID(owner), Owner: owner, Repo: repoName, Number: n},
		head: head,
		pr:   policy.PullRequest{Number: n, Author: "alice", Base: "main", HeadSHA: head},
	}
}

func (f *fixture) run(t *testing.T, gate *policy.Gate) store.Execution {
	t.Helper()
	e, err := f.x.Run(context.Background(), f.gh, f.key, gate, f.head, f.pr)
	if err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	return e
}

// crashedIntent records the intent of gate's Z as a process that crashed
// before calling GitHub would have left it.
func (f *fixture) crashedIntent(t *testing.T, gate *policy.Gate) store.Execution {
	t.Helper()
	intent, _, err := f.store.BeginExecution(context.Background(), store.Execution{Key: f.key, Gate: gate.Name, HeadSHA: f.head, Kind: string(gate.Then.Kind())})
	if err != nil {
		t.Fatal(err)
	}
	return intent
}

func mergeGate() *policy.Gate {
	return &policy.Gate{Name: "production", Then: policy.Action{Merge: &policy.MergeAction{Method: "squash"}}}
}

func dispatchGate() *policy.Gate {
	return &policy.Gate{Name: "deploy", Then: policy.Action{Dispatch: &policy.DispatchAction{
		Workflow: "deploy.yml", Ref: "main",
		Inputs: map[string]string{"environment": "prod-{{ .PR.Number }}", "pr": "spoofed"},
	}}}
}

// fullRef makes a dispatch gate's ref a full one (refs/heads/...).
func fullRef(g *policy.Gate) *policy.Gate {
	g.Then.Dispatch.Ref = "refs/heads/" + g.Then.Dispatch.Ref
	return g
}

func repoDispatchGate() *policy.Gate {
	return &policy.Gate{Name: "notify", Then: policy.Action{RepositoryDispatch: &policy.RepositoryDispatchAction{
		EventType: "zgate-approved", ClientPayload: map[string]string{"author": "{{ .PR.Author }}"},
	}}}
}

func checkStatus(t *testing.T, e store.Execution, want store.ExecutionStatus, detail string) {
	t.Helper()
	if e.Status != want || !strings.Contains(e.Detail, detail) {
		t.Errorf("execution = %s %q, want %s containing %q", e.Status, e.Detail, want, detail)
	}
}

func TestMergeOnce(t *testing.T) {
	f := newFixture(t)
	e := f.run(t, mergeGate())
	checkStatus(t, e, store.ExecDone, "merged (squash)")
	pr, err := f.env.Sim.PullRequest(owner, repoName, f.key.Number)
	if err != nil || !pr.Merged {
		t.Fatalf("PR merged = %v (%v), want true", pr.Merged, err)
	}
	again := f.run(t, mergeGate())
	if again.ID != e.ID || again.Status != store.ExecDone {
		t.Errorf("second Run = %s %s, want the first execution %s done", again.ID, again.Status, e.ID)
	}
	if got := f.env.Sim.Calls()[mergeAPI]; got != 1 {
		t.Errorf("merge calls = %d, want 1", got)
	}
}

func TestMergeHeadMoved(t *testing.T) {
	f := newFixture(t)
	if _, err := f.env.Sim.Push(owner, repoName, "feature", map[string]string{"deploy/prod/app.yaml": "replicas: 30\n"}, nil, "mallory"); err != nil {
		t.Fatal(err)
	}
	e := f.run(t, mergeGate()) // still the old, approved head
	checkStatus(t, e, store.ExecFailed, "head moved")
	if pr, _ := f.env.Sim.PullRequest(owner, repoName, f.key.Number); pr.Merged {
		t.Error("PR merged after its head moved, want not merged")
	}
}

func TestMergeFailedThenRetried(t *testing.T) {
	f := newFixture(t)
	if err := f.env.Sim.SetRequiredChecks(owner, repoName, "main", []string{"ci"}); err != nil {
		t.Fatal(err)
	}
	e := f.run(t, mergeGate())
	checkStatus(t, e, store.ExecFailed, "not mergeable")
	if err := f.env.Sim.SetStatus(owner, repoName, f.head, "success", "ci", "green", "ci-bot"); err != nil {
		t.Fatal(err)
	}
	again := f.run(t, mergeGate())
	if again.ID != e.ID {
		t.Errorf("retry id = %s, want the same execution %s", again.ID, e.ID)
	}
	checkStatus(t, again, store.ExecDone, "merged")
}

func TestMergeCrashAfterIntent(t *testing.T) {
	tests := []struct {
		name string
		// mergedBefore merges the PR as if the crashed call had gone out.
		mergedBefore   bool
		wantMergeCalls int
		wantDetail     string
	}{
		{name: "call went out", mergedBefore: true, wantMergeCalls: 1, wantDetail: "reconciled: merged as"},
		{name: "call never made", mergedBefore: false, wantMergeCalls: 1, wantDetail: "merged (squash)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			intent := f.crashedIntent(t, mergeGate())
			if tt.mergedBefore {
				if _, _, err := f.gh.PullRequests.Merge(ctx, owner, repoName, f.key.Number, "", &github.PullRequestOptions{SHA: f.head, MergeMethod: "squash"}); err != nil {
					t.Fatal(err)
				}
			}
			e := f.run(t, mergeGate())
			if e.ID != intent.ID {
				t.Errorf("execution id = %s, want the recorded intent %s", e.ID, intent.ID)
			}
			checkStatus(t, e, store.ExecDone, tt.wantDetail)
			if got := f.env.Sim.Calls()[mergeAPI]; got != tt.wantMergeCalls {
				t.Errorf("merge calls = %d, want %d", got, tt.wantMergeCalls)
			}
		})
	}
}

// onlyDispatch returns the one dispatch the simulator received.
func (f *fixture) onlyDispatch(t *testing.T) githubsim.Dispatch {
	t.Helper()
	ds := f.env.Sim.Dispatches(owner, repoName)
	if len(ds) != 1 {
		t.Fatalf("dispatches = %d, want 1", len(ds))
	}
	return ds[0]
}

func TestDispatch(t *testing.T) {
	f := newFixture(t)
	e := f.run(t, dispatchGate())
	checkStatus(t, e, store.ExecDone, "workflow deploy.yml dispatched on main")
	d := f.onlyDispatch(t)
	want := map[string]any{"environment": "prod-1", "pr": "1", "head_sha": f.head, "gate": "deploy", "zgate_id": e.ID}
	for k, v := range want {
		if d.Inputs[k] != v {
			t.Errorf("input %s = %v, want %v", k, d.Inputs[k], v)
		}
	}
	f.run(t, dispatchGate())
	if got := len(f.env.Sim.Dispatches(owner, repoName)); got != 1 {
		t.Errorf("dispatches after a second Run = %d, want still 1", got)
	}
}

func TestRepositoryDispatch(t *testing.T) {
	f := newFixture(t)
	e := f.run(t, repoDispatchGate())
	checkStatus(t, e, store.ExecDone, "repository_dispatch zgate-approved sent")
	d := f.onlyDispatch(t)
	var payload map[string]string
	if err := json.Unmarshal(d.ClientPayload, &payload); err != nil {
		t.Fatal(err)
	}
	if payload["author"] != "alice" || payload["zgate_id"] != e.ID || payload["head_sha"] != f.head {
		t.Errorf("client_payload = %v, want author alice, zgate_id %s, head_sha %s", payload, e.ID, f.head)
	}
}

func TestDispatchUnknownNeverResent(t *testing.T) {
	for _, tt := range []struct {
		name string
		gate *policy.Gate
		api  string
	}{
		// A full ref: a bare one is first checked against tags, a read
		// the faults would fail before the dispatch is sent.
		{"workflow", fullRef(dispatchGate()), wfAPI},
		{"repository", repoDispatchGate(), repoAPI},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.env.Sim.SetFaults(githubsim.Faults{ErrorRate: 1, Seed: 1})
			e := f.run(t, tt.gate)
			checkStatus(t, e, store.ExecUnknown, "may or may not have run")
			f.env.Sim.SetFaults(githubsim.Faults{})
			again := f.run(t, tt.gate)
			checkStatus(t, again, store.ExecUnknown, "")
			if got := f.env.Sim.Calls()[tt.api]; got != 1 {
				t.Errorf("dispatch calls = %d, want 1 (never re-sent)", got)
			}
		})
	}
}

func TestDispatchRefusedIsFailed(t *testing.T) {
	f := newFixture(t)
	g := dispatchGate()
	g.Then.Dispatch.Ref = "no-such-branch"
	e := f.run(t, g)
	checkStatus(t, e, store.ExecFailed, "GitHub refused the dispatch")
}

func TestDispatchCrashAfterIntent(t *testing.T) {
	tests := []struct {
		name     string
		sendTo   bool // the crashed call went out
		want     store.ExecutionStatus
		wantCall int
	}{
		{name: "run found", sendTo: true, want: store.ExecDone, wantCall: 1},
		{name: "no run", sendTo: false, want: store.ExecUnknown, wantCall: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			intent := f.crashedIntent(t, dispatchGate())
			if tt.sendTo {
				_, err := f.gh.Actions.CreateWorkflowDispatchEventByFileName(ctx, owner, repoName, "deploy.yml",
					github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"zgate_id": intent.ID}})
				if err != nil {
					t.Fatal(err)
				}
			}
			e := f.run(t, dispatchGate())
			checkStatus(t, e, tt.want, "")
			if got := f.env.Sim.Calls()[wfAPI]; got != tt.wantCall {
				t.Errorf("dispatch calls = %d, want %d (reconcile never re-sends)", got, tt.wantCall)
			}
		})
	}
}

func TestTemplateErrorFailsBeforeCalling(t *testing.T) {
	f := newFixture(t)
	g := dispatchGate()
	g.Then.Dispatch.Inputs = map[string]string{"x": "{{ .PR.Nope }}"}
	e := f.run(t, g)
	checkStatus(t, e, store.ExecFailed, "dispatch not sent")
	if got := f.env.Sim.Calls()[wfAPI]; got != 0 {
		t.Errorf("dispatch calls = %d, want 0", got)
	}
}

func TestNoAction(t *testing.T) {
	f := newFixture(t)
	_, err := f.x.Run(context.Background(), f.gh, f.key, &policy.Gate{Name: "report-only"}, f.head, f.pr)
	if err != ErrNoAction {
		t.Errorf("Run() error = %v, want ErrNoAction", err)
	}
}

// TestDispatchRefShadowedByTag: a tag named like the dispatch's branch
// would run the tag's workflow; the dispatch is refused, not sent, and a
// full ref in the policy dispatches.
func TestDispatchRefShadowedByTag(t *testing.T) {
	f := newFixture(t)
	if err := f.env.Sim.CreateTag(owner, repoName, "main", f.head); err != nil {
		t.Fatal(err)
	}
	e := f.run(t, dispatchGate())
	checkStatus(t, e, store.ExecFailed, "both a branch and a tag are named \"main\"")
	if got := len(f.env.Sim.Dispatches(owner, repoName)); got != 0 {
		t.Fatalf("dispatches = %d, want 0 while main is ambiguous", got)
	}
	g := fullRef(dispatchGate())
	g.Name = "deploy-full-ref"
	checkStatus(t, f.run(t, g), store.ExecDone, "dispatched on refs/heads/main")
}
