package report

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/store"
)

// newPublishRepo starts a simulator with acme/payments and returns the head
// of a pushed feature branch.
func newPublishRepo(t *testing.T) (*ghclienttest.Env, string) {
	t.Helper()
	env := ghclienttest.New(t, nil)
	if err := env.Sim.CreateRepo("acme", "payments", map[string]string{"README.md": "x"}); err != nil {
		t.Fatal(err)
	}
	sha, err := env.Sim.Push("acme", "payments", "feature", map[string]string{"a": "b"}, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	return env, sha
}

func TestPublish(t *testing.T) {
	env, sha := newPublishRepo(t)
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gh := env.Client(t, "acme")
	p := &Publisher{Store: st}
	res := &facts.Result{HeadSHA: sha, Policy: loadPolicy(t)}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

	pending := CheckRun(res, loadDecision(t, "pending-missing-teams"), Options{Now: now})
	success := CheckRun(res, loadDecision(t, "success"), Options{Now: now})
	d2 := loadDecision(t, "pending-missing-teams")
	d2.Missing = append(d2.Missing, "something else")
	pending2 := CheckRun(res, d2, Options{Now: now})
	steps := []struct {
		name        string
		content     Content
		wantChanged bool
		wantNewRun  bool
	}{
		{name: "create", content: pending, wantChanged: true, wantNewRun: true},
		{name: "unchanged", content: pending},
		{name: "update", content: success, wantChanged: true},
		{name: "unchanged again", content: success},
		// The window closed: back to pending, always on a new run (GitHub
		// would keep a completed run's conclusion), the old one cancelled.
		{name: "reopen", content: pending, wantChanged: true, wantNewRun: true},
		{name: "pending update", content: pending2, wantChanged: true},
	}
	var lastID int64
	reads := 0
	for _, s := range steps {
		env.Counter.Reset()
		id, changed, err := p.Publish(ctx, gh, "acme", "payments", sha, s.content)
		if err != nil {
			t.Fatalf("%s: Publish() error = %v", s.name, err)
		}
		if changed != s.wantChanged {
			t.Errorf("%s: changed = %v, want %v", s.name, changed, s.wantChanged)
		}
		if (id != lastID) != s.wantNewRun {
			t.Errorf("%s: run id %d after %d, want new run %v", s.name, id, lastID, s.wantNewRun)
		}
		if calls, _ := env.Counter.Total(); !s.wantChanged && calls != 0 {
			t.Errorf("%s: %d GitHub calls, want none", s.name, calls)
		}
		reads += env.Counter.Counts()["GET /repos/{owner}/{repo}/check-runs/{n}"]
		lastID = id
	}
	// The store knows each run's status: no update reads the run first
	// (a GET that counts against the rate limit).
	if reads != 0 {
		t.Errorf("%d GETs of a check run, want none: the stored status says whether it is completed", reads)
	}
	runs := env.Sim.CheckRuns("acme", "payments", sha)
	if len(runs) == 0 {
		t.Fatal("no check runs")
	}
	if len(runs) != 2 {
		t.Fatalf("check runs = %d, want 2 (the superseded one and the current one)", len(runs))
	}
	if old := runs[0]; old.Status != StatusCompleted || old.Conclusion != "cancelled" {
		t.Errorf("superseded run = %s %q, want completed cancelled", old.Status, old.Conclusion)
	}
	r := runs[1]
	if r.Output.Summary != pending2.Summary {
		t.Errorf("current check run summary = %q, want %q", r.Output.Summary, pending2.Summary)
	}
	if r.Name != "zgate/production" || r.Status != StatusInProgress || r.Conclusion != "" {
		t.Errorf("check run = %s %s %q, want zgate/production in_progress", r.Name, r.Status, r.Conclusion)
	}
}

func TestPublishRecreatesLostRun(t *testing.T) {
	env, sha := newPublishRepo(t)
	ctx := context.Background()
	st := &memStore{st: store.CheckRunState{RunID: 987654, Fingerprint: "stale", Status: StatusInProgress}}
	p := &Publisher{Store: st}
	c := PolicyError(".github/zgate.yml", nil)
	id, changed, err := p.Publish(ctx, env.Client(t, "acme"), "acme", "payments", sha, c)
	if err != nil || !changed || id == 987654 || id == 0 {
		t.Fatalf("Publish() = %d, %v, %v; want a new run", id, changed, err)
	}
	if want := (store.CheckRunState{RunID: id, Fingerprint: c.Fingerprint, Status: c.Status}); st.st != want {
		t.Errorf("stored %+v, want %+v", st.st, want)
	}
}

// memStore is a FingerprintStore for one check run.
type memStore struct {
	st store.CheckRunState
	// sets are the states written, in order.
	sets []store.CheckRunState
	// failSet fails SetCheckRun from that write on (1-based; 0: never).
	failSet int
}

func (m *memStore) CheckRun(ctx context.Context, owner, repo, sha, check string) (store.CheckRunState, error) {
	if m.st.RunID == 0 {
		return store.CheckRunState{}, store.ErrNotFound
	}
	return m.st, nil
}

func (m *memStore) SetCheckRun(ctx context.Context, owner, repo, sha, check string, st store.CheckRunState) error {
	m.sets = append(m.sets, st)
	if m.failSet > 0 && len(m.sets) >= m.failSet {
		return errors.New("store down")
	}
	m.st = st
	return nil
}

// TestPublishUnrecordedCompletion: a run was completed on GitHub but the
// store did not record it (the store failed, or a crash). The next pending
// content must not reopen that run (GitHub would keep its conclusion): the
// status was marked unknown before completing, so it is read and a new
// run replaces the completed one.
func TestPublishUnrecordedCompletion(t *testing.T) {
	env, sha := newPublishRepo(t)
	ctx := context.Background()
	gh := env.Client(t, "acme")
	st := &memStore{}
	p := &Publisher{Store: st}
	res := &facts.Result{HeadSHA: sha, Policy: loadPolicy(t)}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	pending := CheckRun(res, loadDecision(t, "pending-missing-teams"), Options{Now: now})
	success := CheckRun(res, loadDecision(t, "success"), Options{Now: now})

	first, _, err := p.Publish(ctx, gh, "acme", "payments", sha, pending)
	if err != nil {
		t.Fatal(err)
	}
	st.failSet = len(st.sets) + 2 // the mark succeeds, the record fails
	if _, _, err := p.Publish(ctx, gh, "acme", "payments", sha, success); err == nil {
		t.Fatal("Publish(success) with the store failing = nil error, want one")
	}
	st.failSet = 0
	id, changed, err := p.Publish(ctx, gh, "acme", "payments", sha, pending)
	if err != nil || !changed || id == first {
		t.Fatalf("Publish(pending) = %d, %v, %v; want a new run, not %d reopened", id, changed, err, first)
	}
	runs := env.Sim.CheckRuns("acme", "payments", sha)
	if len(runs) != 2 {
		t.Fatalf("check runs = %d, want 2", len(runs))
	}
	if old := runs[0]; old.ID != first || old.Status != StatusCompleted || old.Conclusion == "success" {
		t.Errorf("first run = %d %s %q, want %d completed and no longer success", old.ID, old.Status, old.Conclusion, first)
	}
	if cur := runs[1]; cur.ID != id || cur.Status != StatusInProgress {
		t.Errorf("current run = %d %s, want %d in_progress", cur.ID, cur.Status, id)
	}
}
