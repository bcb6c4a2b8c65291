package act

import (
	"testing"

	"github.com/zgate-dev/zgate/app/store"
)

const graphqlAPI = "POST /graphql"

// queueFixture is a fixture whose main requires a merge queue and a
// "ci" check, green on the pull request's head (so it may be queued) and
// not yet run on any merge group (so it stays queued).
func queueFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	sim := f.env.Sim
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(sim.SetRequiredChecks(owner, repoName, "main", []string{"ci"}))
	must(sim.SetStatus(owner, repoName, f.head, "success", "ci", "", "ci-bot"))
	must(sim.RequireMergeQueue(owner, repoName, "main", true))
	sim.ResetCalls()
	return f
}

// TestMergeIntoQueueBranchEnqueues: a merge gate's Z on a branch that
// requires a merge queue adds the pull request to the queue, guarded by
// the head, and never calls the REST merge; running it again does not
// enqueue again.
func TestMergeIntoQueueBranchEnqueues(t *testing.T) {
	f := queueFixture(t)
	e := f.run(t, mergeGate())
	if e.Status != store.ExecDone {
		t.Fatalf("status %s (%s), want done", e.Status, e.Detail)
	}
	q := f.env.Sim.MergeQueue(owner, repoName, "main")
	if len(q) != 1 || q[0].PR != f.key.Number || q[0].HeadSHA != f.head {
		t.Fatalf("merge queue %+v, want PR %d at %s", q, f.key.Number, f.head)
	}
	again := f.run(t, mergeGate())
	calls := f.env.Sim.Calls()
	if calls[mergeAPI] != 0 {
		t.Errorf("REST merge called %d times on a queue branch", calls[mergeAPI])
	}
	// One state read and one mutation: the second run returns the stored
	// outcome without calling GitHub.
	if calls[graphqlAPI] != 2 || again.ID != e.ID || again.Status != store.ExecDone {
		t.Errorf("graphql calls %d (want 2); second run %+v", calls[graphqlAPI], again)
	}
}

// TestEnqueueCrashReconciled: a process that died after GitHub queued the
// pull request but before recording it finds it queued and records done
// without a second enqueue; one that died before calling enqueues once.
func TestEnqueueCrashReconciled(t *testing.T) {
	t.Run("queued before the crash", func(t *testing.T) {
		f := queueFixture(t)
		intent := f.crashedIntent(t, mergeGate())
		if err := f.env.Sim.EnqueuePR(owner, repoName, f.key.Number, "zgate[bot]", f.head); err != nil {
			t.Fatal(err)
		}
		f.env.Sim.ResetCalls()
		e := f.run(t, mergeGate())
		if e.ID != intent.ID || e.Status != store.ExecDone {
			t.Fatalf("execution %+v, want %s done", e, intent.ID)
		}
		if calls := f.env.Sim.Calls(); calls[graphqlAPI] != 1 || calls[mergeAPI] != 0 {
			t.Errorf("calls graphql %d (want 1: the state read), REST merge %d", calls[graphqlAPI], calls[mergeAPI])
		}
		if q := f.env.Sim.MergeQueue(owner, repoName, "main"); len(q) != 1 {
			t.Errorf("queue %+v, want one entry", q)
		}
	})
	t.Run("crashed before the call", func(t *testing.T) {
		f := queueFixture(t)
		f.crashedIntent(t, mergeGate())
		e := f.run(t, mergeGate())
		if e.Status != store.ExecDone {
			t.Fatalf("status %s (%s)", e.Status, e.Detail)
		}
		if q := f.env.Sim.MergeQueue(owner, repoName, "main"); len(q) != 1 {
			t.Errorf("queue %+v, want one entry", q)
		}
		if calls := f.env.Sim.Calls(); calls[mergeAPI] != 0 {
			t.Errorf("REST merge called %d times", calls[mergeAPI])
		}
	})
	t.Run("moved head refused", func(t *testing.T) {
		f := queueFixture(t)
		if _, err := f.env.Sim.Push(owner, repoName, "feature", map[string]string{"x": "y\n"}, nil, "alice"); err != nil {
			t.Fatal(err)
		}
		e := f.run(t, mergeGate())
		if e.Status != store.ExecFailed {
			t.Fatalf("status %s (%s), want failed", e.Status, e.Detail)
		}
		if q := f.env.Sim.MergeQueue(owner, repoName, "main"); len(q) != 0 {
			t.Errorf("queue %+v, want empty", q)
		}
	})
}
