package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/zgate-dev/zgate/app/act"
	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
)

// recordingQueue records what the engine enqueues.
type recordingQueue struct {
	mu   sync.Mutex
	keys []store.PRKey
}

func (q *recordingQueue) Enqueue(_ context.Context, k store.PRKey, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.keys = append(q.keys, k)
	return nil
}

// rig is an engine wired to real components over the simulator.
type rig struct {
	t     *testing.T
	env   *ghclienttest.Env
	sim   *githubsim.Sim
	eng   *Engine
	st    *store.Store
	queue *recordingQueue
	inst  int64
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newRig creates acme/payments with files on main and the teams of the
// two-person rule: carol in sre and security, dave in security.
func newRig(t *testing.T, files map[string]string) *rig {
	t.Helper()
	return newRigWith(t, files, nil)
}

// newRigWith is newRig with edit adjusting the GitHub client's
// configuration (see [ghclienttest.New]).
func newRigWith(t *testing.T, files map[string]string, edit func(*ghclient.Config)) *rig {
	t.Helper()
	env := ghclienttest.New(t, edit)
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := metrics.New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Sim.CreateRepo("acme", "payments", files); err != nil {
		t.Fatal(err)
	}
	for _, tm := range [][2]string{{"sre", "carol"}, {"security", "carol"}, {"security", "dave"}} {
		if err := env.Sim.AddTeamMember("acme", tm[0], tm[1], "active"); err != nil {
			t.Fatal(err)
		}
	}
	q := &recordingQueue{}
	auditLog := audit.New(st, time.Now)
	eng, err := New(Config{
		Clients:   env.Apps,
		Gatherer:  &facts.Gatherer{},
		Publisher: &report.Publisher{Store: st},
		Executor:  &act.Executor{Store: st, Audit: auditLog},
		Store:     st,
		Queue:     q,
		Audit:     auditLog,
		Metrics:   m,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, env: env, sim: env.Sim, eng: eng, st: st, queue: q, inst: env.Sim.InstallationID("acme")}
}

func gatedFiles(t *testing.T) map[string]string {
	return map[string]string{
		".github/CODEOWNERS":       readTestdata(t, "codeowners"),
		".github/zgate.yml":        readTestdata(t, "zgate.yml"),
		"deploy/prod/payments.yml": "replicas: 3\n",
	}
}

func (r *rig) openPR(branch string) (store.PRKey, string) {
	r.t.Helper()
	head, err := r.sim.Push("acme", "payments", branch, map[string]string{"deploy/prod/payments.yml": "replicas: 5\n"}, nil, "alice")
	if err != nil {
		r.t.Fatal(err)
	}
	n, err := r.sim.OpenPR("acme", "payments", githubsim.PROptions{Head: branch, Base: "main", Title: branch, Author: "alice"})
	if err != nil {
		r.t.Fatal(err)
	}
	return store.PRKey{Installation: r.inst, Owner: "acme", Repo: "payments", Number: n}, head
}

func (r *rig) reevaluate(k store.PRKey) time.Time {
	r.t.Helper()
	next, err := r.eng.Reevaluate(context.Background(), k)
	if err != nil {
		r.t.Fatalf("Reevaluate(%v): %v", k, err)
	}
	return next
}

// checks returns "name status/conclusion" of the check runs on sha.
// checks lists sha's check runs by name, each name's in the order they
// were created (the names of one gate are written side by side, in no
// set order).
func (r *rig) checks(sha string) []string {
	runs := r.sim.CheckRuns("acme", "payments", sha)
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Name < runs[j].Name })
	var out []string
	for _, c := range runs {
		out = append(out, c.Name+" "+c.Status+"/"+c.Conclusion)
	}
	return out
}

func (r *rig) auditKinds() []string {
	recs, err := r.st.AuditRecords(context.Background(), 0, 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, rec := range recs {
		kind := rec.Kind
		if rec.Kind == audit.KindDecision || rec.Kind == audit.KindExecution {
			var d struct{ State, Status string }
			_ = json.Unmarshal(rec.Data, &d)
			kind += ":" + d.State + d.Status
		}
		out = append(out, kind)
	}
	return out
}

func TestReevaluateMergesOnQuorum(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	k, head := r.openPR("scale")
	r.reevaluate(k)
	if _, err := r.sim.SubmitReview("acme", "payments", k.Number, "carol", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	if diff := cmp.Diff([]string{"zgate/production in_progress/", "zgate/production: main in_progress/"}, r.checks(head)); diff != "" {
		t.Errorf("checks after one approval (-want +got):\n%s", diff)
	}
	if _, err := r.sim.SubmitReview("acme", "payments", k.Number, "dave", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	pr, err := r.sim.PullRequest("acme", "payments", k.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Merged {
		t.Fatalf("PR not merged after the quorum held")
	}
	r.reevaluate(k) // closed now: nothing more
	want := []string{"decision:pending", "decision:pending", "decision:success", "execution:intent", "execution:done"}
	if diff := cmp.Diff(want, r.auditKinds()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func TestReevaluateSchedulesExpiry(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	k, _ := r.openPR("scale")
	if next := r.reevaluate(k); !next.IsZero() {
		t.Errorf("next with nothing counted = %v, want zero", next)
	}
	before := time.Now()
	if _, err := r.sim.SubmitReview("acme", "payments", k.Number, "carol", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	next := r.reevaluate(k)
	lo, hi := before.Add(24*time.Hour).Add(-time.Second), after.Add(24*time.Hour+2*time.Second)
	if next.Before(lo) || next.After(hi) {
		t.Errorf("next = %v, want within [%v, %v] (the approval leaves the 24h window)", next, lo, hi)
	}
}

func TestReevaluatePolicyError(t *testing.T) {
	files := gatedFiles(t)
	r := newRig(t, files)
	k, head := r.openPR("scale")
	r.reevaluate(k) // a good policy: the gate is known by name
	if _, err := r.sim.Push("acme", "payments", "main", map[string]string{".github/zgate.yml": readTestdata(t, "broken.yml")}, nil, "admin"); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	r.reevaluate(k) // unchanged: no second audit record
	if diff := cmp.Diff([]string{"zgate/production completed/failure", "zgate/production: main completed/failure"}, r.checks(head)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	var summary string
	for _, c := range r.sim.CheckRuns("acme", "payments", head) {
		summary = c.Output.Summary
	}
	if !strings.Contains(summary, ".github/zgate.yml:4:") {
		t.Errorf("summary lacks FILE:LINE:COL of the problem:\n%s", summary)
	}
	if diff := cmp.Diff([]string{"decision:pending", audit.KindPolicyError}, r.auditKinds()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func TestReevaluatePolicyErrorUnknownGates(t *testing.T) {
	files := gatedFiles(t)
	files[".github/zgate.yml"] = readTestdata(t, "broken.yml")
	r := newRig(t, files)
	k, head := r.openPR("scale")
	r.reevaluate(k)
	if diff := cmp.Diff([]string{"zgate completed/failure", "zgate: main completed/failure"}, r.checks(head)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}

func TestReevaluateUngatedRepository(t *testing.T) {
	r := newRig(t, map[string]string{"deploy/prod/payments.yml": "replicas: 3\n"})
	k, head := r.openPR("scale")
	r.reevaluate(k)
	if got := r.checks(head); len(got) != 0 {
		t.Errorf("checks on a repository without a policy = %v, want none", got)
	}
}

func TestReevaluateExpandsRepositoryKey(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	k1, _ := r.openPR("one")
	k2, _ := r.openPR("two")
	r.reevaluate(RepoKey(r.inst, "acme", "payments"))
	sort.Slice(r.queue.keys, func(i, j int) bool { return r.queue.keys[i].Number < r.queue.keys[j].Number })
	if diff := cmp.Diff([]store.PRKey{k1, k2}, r.queue.keys); diff != "" {
		t.Errorf("enqueued (-want +got):\n%s", diff)
	}
}

func TestRecoverRequeuesIntents(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	k, head := r.openPR("scale")
	ctx := context.Background()
	if _, _, err := r.st.BeginExecution(ctx, store.Execution{Key: k, Gate: "production", HeadSHA: head, Kind: "merge"}); err != nil {
		t.Fatal(err)
	}
	if err := r.eng.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.PRKey{k}, r.queue.keys); diff != "" {
		t.Errorf("enqueued (-want +got):\n%s", diff)
	}
}

func TestSweepEnqueuesRepositories(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	k, _ := r.openPR("scale")
	r.reevaluate(k)
	r.queue.keys = nil
	if err := r.eng.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []store.PRKey{RepoKey(r.inst, "acme", "payments")}
	if diff := cmp.Diff(want, r.queue.keys); diff != "" {
		t.Errorf("enqueued (-want +got):\n%s", diff)
	}
}

// flakyAuditor fails its first n appends.
type flakyAuditor struct {
	next Auditor
	n    int
}

func (f *flakyAuditor) Append(ctx context.Context, e audit.Entry) (store.AuditRecord, error) {
	if f.n > 0 {
		f.n--
		return store.AuditRecord{}, context.DeadlineExceeded
	}
	return f.next.Append(ctx, e)
}

func (f *flakyAuditor) Builder(e audit.Entry) (store.AuditBuilder, error) { return f.next.Builder(e) }

func TestAuditFailureIsRetried(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	r.eng.cfg.Audit = &flakyAuditor{next: r.eng.cfg.Audit, n: 1}
	k, _ := r.openPR("scale")
	if _, err := r.eng.Reevaluate(context.Background(), k); err == nil {
		t.Fatal("Reevaluate with a failing audit log: got nil error, want one (the queue retries)")
	}
	r.reevaluate(k) // the check is unchanged now; the decision must still be logged
	if diff := cmp.Diff([]string{"decision:pending"}, r.auditKinds()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func TestForeignStatusIsOverwritten(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	k, head := r.openPR("scale")
	r.reevaluate(k)
	if err := r.sim.SetStatus("acme", "payments", head, "success", "zgate/production", "trust me", "mallory"); err != nil {
		t.Fatal(err)
	}
	if err := r.sim.SetStatus("acme", "payments", head, "success", "zgate/invented", "", "mallory"); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	r.reevaluate(k) // agreeing now: nothing more is written
	latest := map[string]string{}
	posts := 0
	for _, st := range r.sim.Statuses("acme", "payments", head) {
		latest[st.Context] = st.State
		if st.Creator != "mallory" {
			posts++
		}
	}
	if diff := cmp.Diff(map[string]string{"zgate/production": "pending", "zgate/invented": "failure"}, latest); diff != "" {
		t.Errorf("latest statuses (-want +got):\n%s", diff)
	}
	if posts != 2 {
		t.Errorf("statuses written by zgate = %d, want 2", posts)
	}
	want := []string{"decision:pending", KindForeignStatus, KindForeignStatus}
	if diff := cmp.Diff(want, r.auditKinds()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}

	// When the gate opens, zgate's own status follows it, without being
	// logged as a foreign claim.
	for _, st := range r.sim.Statuses("acme", "payments", head) {
		if st.Creator != "mallory" {
			r.eng.cfg.BotLogin = st.Creator
		}
	}
	for _, u := range []string{"carol", "dave"} {
		if _, err := r.sim.SubmitReview("acme", "payments", k.Number, u, "APPROVE", ""); err != nil {
			t.Fatal(err)
		}
	}
	r.reevaluate(k)
	sts := r.sim.Statuses("acme", "payments", head)
	if last := sts[len(sts)-1]; last.Context != "zgate/production" || last.State != "success" {
		t.Errorf("latest status = %s %s, want zgate/production success", last.Context, last.State)
	}
	want = append(want, "decision:success", "execution:intent", "execution:done")
	if diff := cmp.Diff(want, r.auditKinds()); diff != "" {
		t.Errorf("audit after the gate opened (-want +got):\n%s", diff)
	}
}

func TestRefusedMergeIsAuditedOnce(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	if err := r.sim.SetRequiredChecks("acme", "payments", "main", []string{"zgate/production", "ci/build"}); err != nil {
		t.Fatal(err)
	}
	k, _ := r.openPR("scale")
	for _, u := range []string{"carol", "dave"} {
		if _, err := r.sim.SubmitReview("acme", "payments", k.Number, u, "APPROVE", ""); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	next := r.reevaluate(k) // ci/build never ran: GitHub refuses the merge
	if next.IsZero() || next.After(start.Add(RetryFailedAfter+time.Minute)) {
		t.Errorf("next after a refused merge = %v, want within about %v", next, RetryFailedAfter)
	}
	r.reevaluate(k)
	r.reevaluate(k)
	want := []string{"decision:success", "execution:intent", "execution:failed"}
	if diff := cmp.Diff(want, r.auditKinds()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestSettleClosedIsAudited: a merge left in intent on a pull request
// closed meanwhile is settled as failed, with its audit record written in
// the same transaction.
func TestSettleClosedIsAudited(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	k, head := r.openPR("scale")
	ctx := context.Background()
	x, _, err := r.st.BeginExecution(ctx, store.Execution{Key: k, Gate: "production", HeadSHA: head, Kind: "merge"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.sim.ClosePR("acme", "payments", k.Number, "alice"); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	got, err := r.st.Execution(ctx, x.ID)
	if err != nil || got.Status != store.ExecFailed {
		t.Errorf("execution = %+v, %v; want failed", got, err)
	}
	if diff := cmp.Diff([]string{"execution:failed"}, r.auditKinds()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}
