package deploy

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/store"
)

const gatePolicy = `version: 1
gates:
  - name: ship
    if: {environment: [production]}
    controls:
      teams: {from: ["@acme/sre", "@acme/security"]}
    quorum: 2
    window: 1h
`

type nopQueue struct {
	mu   sync.Mutex
	keys []store.PRKey
}

func (q *nopQueue) Enqueue(_ context.Context, k store.PRKey, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.keys = append(q.keys, k)
	return nil
}

// rig is a deploy engine over the simulator and a SQLite store. Its clock
// is the wall clock moved by skew, as the simulator's is the wall clock.
type rig struct {
	t     *testing.T
	sim   *githubsim.Sim
	st    *store.Store
	eng   *Engine
	inst  int64
	mu    sync.Mutex
	skew  time.Duration
	n     int
	head  string
	queue *nopQueue
}

func newRig(t *testing.T, policy string) *rig {
	t.Helper()
	env := ghclienttest.New(t, nil)
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	files := map[string]string{"README.md": "hi\n"}
	if policy != "" {
		files[".github/zgate.yml"] = policy
	}
	must(t, env.Sim.CreateRepo("acme", "payments", files))
	for _, tm := range [][2]string{{"sre", "carol"}, {"security", "dave"}} {
		must(t, env.Sim.AddTeamMember("acme", tm[0], tm[1], "active"))
	}
	must(t, env.Sim.AddEnvironment("acme", "payments", "production"))
	r := &rig{t: t, sim: env.Sim, st: st, inst: env.Sim.InstallationID("acme"), queue: &nopQueue{}}
	r.eng, err = New(Config{Clients: env.Apps, Gatherer: &facts.Gatherer{}, Store: st, Audit: audit.New(st, time.Now), Queue: r.queue, Now: r.now})
	must(t, err)
	r.head, err = env.Sim.Push("acme", "payments", "change", map[string]string{"app.txt": "v2\n"}, nil, "alice")
	must(t, err)
	r.n, err = env.Sim.OpenPR("acme", "payments", githubsim.PROptions{Head: "change", Base: "main", Title: "v2", Author: "alice"})
	must(t, err)
	return r
}

func (r *rig) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Now().Add(r.skew)
}

func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skew += d
}

// deploy starts a deployment of the head and keeps it as the webhook
// would.
func (r *rig) deploy() store.Deployment {
	r.t.Helper()
	requested := time.Now().Truncate(time.Second).Add(-time.Second)
	s, err := r.sim.StartDeployment("acme", "payments", githubsim.DeploymentOptions{Environment: "production", Ref: "change", SHA: r.head, Creator: "pat"})
	must(r.t, err)
	d := store.Deployment{Installation: r.inst, Owner: "acme", Repo: "payments", RunID: s.RunID, Environment: "production",
		DeploymentID: s.ID, SHA: s.SHA, Ref: s.Ref, Deployer: "pat", Requested: requested, Received: requested}
	_, err = r.st.RecordDeployment(context.Background(), d)
	must(r.t, err)
	return d
}

func (r *rig) approve(users ...string) {
	r.t.Helper()
	for _, u := range users {
		_, err := r.sim.Comment("acme", "payments", r.n, u, "/zgate approve-deploy production")
		must(r.t, err)
	}
}

func (r *rig) reevaluate() time.Time {
	r.t.Helper()
	next, err := r.eng.Reevaluate(context.Background(), Key(r.inst, "acme", "payments"))
	must(r.t, err)
	return next
}

// intent records an answer as a crash after the record would leave it.
func (r *rig) intent(d store.Deployment, detail string) store.Execution {
	r.t.Helper()
	x, _, err := r.st.BeginExecution(context.Background(), store.Execution{
		Key: Key(d.Installation, d.Owner, d.Repo), Gate: gateName(d), HeadSHA: d.SHA, Kind: ExecutionKind, Detail: detail})
	must(r.t, err)
	return x
}

func (r *rig) state() githubsim.DeploymentState {
	r.t.Helper()
	ds := r.sim.Deployments("acme", "payments")
	if len(ds) != 1 {
		r.t.Fatalf("%d deployments, want 1", len(ds))
	}
	return ds[0]
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestApprovesOnceAndSchedulesTheWindow(t *testing.T) {
	r := newRig(t, gatePolicy)
	d := r.deploy()
	next := r.reevaluate()
	if s := r.state(); s.State != "waiting" {
		t.Fatalf("deployment %s without approvals", s.State)
	}
	if want := d.Requested.Add(time.Hour); !next.Equal(want) {
		t.Errorf("next evaluation at %v, want the window's end %v", next, want)
	}
	r.approve("carol", "dave")
	r.reevaluate()
	r.reevaluate()
	if s := r.state(); s.State != "approved" || s.Answers != 1 || s.Refused != 0 {
		t.Errorf("deployment %+v, want approved by one answer and no second one", s)
	}
	if ds, _ := r.st.PendingDeployments(context.Background(), "", ""); len(ds) != 0 {
		t.Errorf("still pending: %+v", ds)
	}
}

func TestRejectsAtOnceWhenNothingCanApprove(t *testing.T) {
	for _, tt := range []struct {
		name, policy, want string
	}{
		{"no gate names the environment", "version: 1\ngates:\n  - name: review\n    controls: {teams: {from: [\"@acme/sre\"]}}\n", "no gate of .github/zgate.yml names environment production"},
		{"no policy", "", "has no zgate policy"},
		{"broken policy", "version: 1\ngates: nope\n", "cannot be loaded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.policy)
			r.deploy()
			r.reevaluate()
			if s := r.state(); s.State != "rejected" || !strings.Contains(s.Comment, tt.want) {
				t.Errorf("deployment %s %q, want rejected saying %q", s.State, s.Comment, tt.want)
			}
		})
	}
}

func TestRecordedApprovalNeverSentOnAGuess(t *testing.T) {
	t.Run("window closed since: rejected instead", func(t *testing.T) {
		r := newRig(t, gatePolicy)
		d := r.deploy()
		r.approve("carol", "dave")
		x := r.intent(d, "approved: zgate approves")
		r.advance(2 * time.Hour)
		r.reevaluate()
		if s := r.state(); s.State != "rejected" || s.Answers != 1 || !strings.Contains(s.Comment, "window closed") {
			t.Errorf("deployment %+v, want rejected once, the window closed", s)
		}
		got, err := r.st.Execution(context.Background(), x.ID)
		must(t, err)
		if got.Status != store.ExecDone || !strings.HasPrefix(got.Detail, "rejected: ") {
			t.Errorf("execution %s %q, want done rejected", got.Status, got.Detail)
		}
	})
	t.Run("no longer held: waits", func(t *testing.T) {
		r := newRig(t, gatePolicy)
		d := r.deploy()
		r.approve("carol") // dave never approved: the recorded approval does not hold now
		x := r.intent(d, "approved: zgate approves")
		r.reevaluate()
		if s := r.state(); s.State != "waiting" || s.Answers != 0 {
			t.Errorf("deployment %+v, want still waiting", s)
		}
		if got, _ := r.st.Execution(context.Background(), x.ID); got.Status != store.ExecIntent {
			t.Errorf("execution %s, want the intent kept", got.Status)
		}
		r.approve("dave")
		r.reevaluate()
		if s := r.state(); s.State != "approved" || s.Answers != 1 {
			t.Errorf("deployment %+v, want approved once held again", s)
		}
	})
	t.Run("recorded rejection stays a rejection", func(t *testing.T) {
		r := newRig(t, gatePolicy)
		d := r.deploy()
		r.approve("carol", "dave")
		r.intent(d, "rejected: zgate rejects: the window closed")
		r.reevaluate()
		if s := r.state(); s.State != "rejected" || s.Comment != "zgate rejects: the window closed" {
			t.Errorf("deployment %+v, want the recorded rejection sent", s)
		}
	})
}

func TestRecoverQueuesPendingRepositories(t *testing.T) {
	r := newRig(t, gatePolicy)
	r.deploy()
	must(t, r.eng.Recover(context.Background()))
	if len(r.queue.keys) != 1 || !IsKey(r.queue.keys[0]) {
		t.Errorf("queued %v, want the repository's deployments key", r.queue.keys)
	}
}
