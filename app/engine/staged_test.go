package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
)

// staging wires the rig's engine to stage its writes, as the App does.
func (r *rig) staging() {
	r.eng.cfg.StagedPublisher = func(fs report.FingerprintStore) Publisher { return &report.Publisher{Store: fs} }
	r.eng.cfg.Stager = r.st
}

func (r *rig) reevaluateStaged(k store.PRKey, fin *store.Finish) {
	r.t.Helper()
	if _, err := r.eng.ReevaluateStaged(context.Background(), k, fin); err != nil {
		r.t.Fatalf("ReevaluateStaged(%v): %v", k, err)
	}
}

// TestStagedEvaluationWritesNothingUntilSettled: the fingerprints and the
// decision's record wait in the Finish (the queue commits them with the
// job), and a second evaluation before that sees the staged fingerprint.
func TestStagedEvaluationWritesNothingUntilSettled(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	r.staging()
	k, head := r.openPR("scale")
	fin := r.st.NewFinish()
	before := r.st.Commits()
	r.reevaluateStaged(k, fin)
	r.reevaluateStaged(k, fin) // unchanged: no second record, no rewrite
	if n := r.st.Commits() - before; n > 1 {
		// the head's first sighting (facts.StorePushes) is its own write
		t.Errorf("commits during staged evaluations = %d, want at most 1", n)
	}
	if _, _, err := r.st.CheckFingerprint(context.Background(), "acme", "payments", head, "zgate/production"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CheckFingerprint() before the flush = %v, want ErrNotFound", err)
	}
	if got := r.auditKinds(); len(got) != 0 {
		t.Errorf("audit before the flush = %v, want nothing", got)
	}
	if err := r.st.Flush(context.Background(), fin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.st.CheckFingerprint(context.Background(), "acme", "payments", head, "zgate/production"); err != nil {
		t.Errorf("CheckFingerprint() after the flush = %v", err)
	}
	if diff := cmp.Diff([]string{"decision:pending"}, r.auditKinds()); diff != "" {
		t.Errorf("audit after the flush (-want +got):\n%s", diff)
	}
}

// TestStagedMergeKeepsAuditOrder: the staged decision that opens the gate
// is committed before the executor records the intent, so the log reads
// decision, intent, outcome.
func TestStagedMergeKeepsAuditOrder(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	r.staging()
	k, _ := r.openPR("scale")
	fin := r.st.NewFinish()
	r.reevaluateStaged(k, fin)
	for _, who := range []string{"carol", "dave"} {
		if _, err := r.sim.SubmitReview("acme", "payments", k.Number, who, "APPROVE", ""); err != nil {
			t.Fatal(err)
		}
	}
	r.reevaluateStaged(k, fin)
	pr, err := r.sim.PullRequest("acme", "payments", k.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Merged {
		t.Fatalf("PR not merged after the quorum held")
	}
	if err := r.st.Flush(context.Background(), fin); err != nil {
		t.Fatal(err)
	}
	want := []string{"decision:pending", "decision:success", "execution:intent", "execution:done"}
	if diff := cmp.Diff(want, r.auditKinds()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestStagedExpandQueuesWithTheSettlement: a repository's open pull
// requests are queued in the expanding job's finish (one transaction for
// the whole repository), not one by one.
func TestStagedExpandQueuesWithTheSettlement(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	r.staging()
	r.openPR("one")
	r.openPR("two")
	fin := r.st.NewFinish()
	r.reevaluateStaged(RepoKey(r.inst, "acme", "payments"), fin)
	if len(r.queue.keys) != 0 || fin.Jobs() != 2 {
		t.Errorf("queued directly %v, staged %d; want none and 2", r.queue.keys, fin.Jobs())
	}
	before := r.st.Commits()
	if err := r.st.Flush(context.Background(), fin); err != nil {
		t.Fatal(err)
	}
	if n, err := r.st.PendingJobs(context.Background()); err != nil || n != 2 || r.st.Commits()-before != 1 {
		t.Errorf("after the flush: %d jobs (%v) in %d commits, want 2 in 1", n, err, r.st.Commits()-before)
	}
}
