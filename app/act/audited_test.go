package act

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

// failingRecorder fails to build the records whose status is in fail, as
// a database that fails (or a process that dies) right at that write.
type failingRecorder struct {
	next Recorder
	fail map[string]bool
}

func (f *failingRecorder) Builder(e audit.Entry) (store.AuditBuilder, error) {
	if r, ok := e.Data.(Record); ok && f.fail[r.Status] {
		return nil, errors.New("audit write lost")
	}
	return f.next.Builder(e)
}

// audited sets the fixture's executor to audit into its store.
func (f *fixture) audited() *audit.Log {
	l := audit.New(f.store, time.Now)
	f.x.Audit = l
	return l
}

// trail is "status decision" of every execution record.
func (f *fixture) trail(t *testing.T) []string {
	t.Helper()
	recs, err := f.store.AuditRecords(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		var d struct {
			ID, Status string
			Decision   string
		}
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, r.Kind+":"+d.Status+" "+d.Decision)
	}
	if _, err := audit.Verify(context.Background(), f.store); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	return out
}

func (f *fixture) runDecided(t *testing.T, decision string) (store.Execution, error) {
	t.Helper()
	return f.x.RunDecided(context.Background(), f.gh, f.key, mergeGate(), f.head, f.pr, decision)
}

func TestAuditedMerge(t *testing.T) {
	f := newFixture(t)
	f.audited()
	e, err := f.runDecided(t, "carol and dave")
	if err != nil {
		t.Fatal(err)
	}
	checkStatus(t, e, store.ExecDone, "merged")
	if _, err := f.runDecided(t, "again"); err != nil {
		t.Fatal(err)
	}
	want := []string{"execution:intent carol and dave", "execution:done carol and dave"}
	if diff := cmp.Diff(want, f.trail(t)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestAuditedRefusalOnce: a merge GitHub keeps refusing the same way is
// audited once; the merge that finally goes through is audited with the
// decision it ran on.
func TestAuditedRefusalOnce(t *testing.T) {
	f := newFixture(t)
	f.audited()
	if err := f.env.Sim.SetRequiredChecks(owner, repoName, "main", []string{"ci"}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e, err := f.runDecided(t, "first")
		if err != nil {
			t.Fatal(err)
		}
		checkStatus(t, e, store.ExecFailed, "not mergeable")
	}
	if err := f.env.Sim.SetStatus(owner, repoName, f.head, "success", "ci", "green", "ci-bot"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.runDecided(t, "later"); err != nil {
		t.Fatal(err)
	}
	want := []string{"execution:intent first", "execution:failed first", "execution:done later"}
	if diff := cmp.Diff(want, f.trail(t)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestAuditLostAfterMerge: the outcome's record cannot be written after
// GitHub merged. The outcome is not stored without it: the execution
// stays in intent, and the next run finds the merge, stores it as done
// and records it, without merging again.
func TestAuditLostAfterMerge(t *testing.T) {
	f := newFixture(t)
	l := f.audited()
	f.x.Audit = &failingRecorder{next: l, fail: map[string]bool{"done": true}}
	if _, err := f.runDecided(t, "d"); err == nil {
		t.Fatal("RunDecided() with the outcome's record lost = nil error, want one")
	}
	x, err := f.store.Executions(context.Background(), "")
	if err != nil || len(x) != 1 || x[0].Status != store.ExecIntent {
		t.Fatalf("executions = %+v, %v; want one, still in intent", x, err)
	}
	f.x.Audit = l
	e, err := f.runDecided(t, "d")
	if err != nil {
		t.Fatal(err)
	}
	checkStatus(t, e, store.ExecDone, "reconciled: merged as")
	if got := f.env.Sim.Calls()[mergeAPI]; got != 1 {
		t.Errorf("merge calls = %d, want 1", got)
	}
	want := []string{"execution:intent d", "execution:done d"}
	if diff := cmp.Diff(want, f.trail(t)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestAuditLostBeforeIntent: without the intent's record no intent is
// stored and nothing is called.
func TestAuditLostBeforeIntent(t *testing.T) {
	f := newFixture(t)
	l := f.audited()
	f.x.Audit = &failingRecorder{next: l, fail: map[string]bool{"intent": true}}
	if _, err := f.runDecided(t, "d"); err == nil {
		t.Fatal("RunDecided() with the intent's record lost = nil error, want one")
	}
	if got := f.env.Sim.Calls()[mergeAPI]; got != 0 {
		t.Errorf("merge calls = %d, want 0", got)
	}
	if x, err := f.store.Executions(context.Background(), ""); err != nil || len(x) != 0 {
		t.Errorf("executions = %+v, %v; want none", x, err)
	}
}

func TestAuditNeedsAuditedStore(t *testing.T) {
	f := newFixture(t)
	f.x = &Executor{Store: struct{ ExecStore }{f.store}, Audit: audit.New(f.store, time.Now)}
	if _, err := f.runDecided(t, "d"); err == nil {
		t.Error("RunDecided() auditing into a store that cannot = nil error, want one")
	}
}
