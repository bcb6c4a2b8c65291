package engine

import (
	"context"
	"testing"
	"time"
)

const combinedStatusRoute = "GET /repos/{owner}/{repo}/commits/{sha}/statuses"

// TestStatusesReadOnlyAfterNotice: a head's statuses are read on its first
// evaluation, then only after a status webhook was noted for it (or when
// the last read is older than StatusRecheck, for the sweep); a claim that
// comes with its webhook is overwritten on the evaluation that webhook
// triggers.
func TestStatusesReadOnlyAfterNotice(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	r.eng.cfg.StatusNotices = r.st
	r.eng.cfg.StatusRecheck = 15 * time.Minute
	now := time.Now()
	r.eng.now = func() time.Time { return now }
	k, head := r.openPR("scale")
	reads := func() int {
		t.Helper()
		n := r.env.Counter.Counts()[combinedStatusRoute]
		r.env.Counter.Reset()
		return n
	}
	r.env.Counter.Reset()
	r.reevaluate(k)
	if n := reads(); n != 1 {
		t.Fatalf("first evaluation read the statuses %d times, want 1", n)
	}
	r.reevaluate(k)
	if n := reads(); n != 0 {
		t.Errorf("evaluation with no status noted read the statuses %d times, want 0", n)
	}

	if err := r.sim.SetStatus("acme", "payments", head, "success", "zgate/production", "trust me", "mallory"); err != nil {
		t.Fatal(err)
	}
	if err := r.st.NoteStatus(context.Background(), "acme", "payments", head); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	if n := reads(); n != 1 {
		t.Errorf("evaluation after a noted status read the statuses %d times, want 1", n)
	}
	if got := latestStatus(r, head, "zgate/production"); got != "pending" {
		t.Errorf("zgate/production after the noted claim = %q, want pending (overwritten)", got)
	}

	// A claim whose webhook was lost: found once the last read is older
	// than StatusRecheck (the sweep's evaluation).
	r.reevaluate(k) // reads once more: zgate's own overwrite dropped the read
	reads()
	if err := r.sim.SetStatus("acme", "payments", head, "success", "zgate/production", "lost webhook", "mallory"); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	if n := reads(); n != 0 {
		t.Errorf("evaluation without a notice read the statuses %d times, want 0", n)
	}
	now = now.Add(15 * time.Minute)
	r.reevaluate(k)
	if n := reads(); n != 1 {
		t.Errorf("evaluation after StatusRecheck read the statuses %d times, want 1", n)
	}
	if got := latestStatus(r, head, "zgate/production"); got != "pending" {
		t.Errorf("zgate/production after the recheck = %q, want pending (overwritten)", got)
	}
}

func latestStatus(r *rig, sha, context string) string {
	var state string
	for _, st := range r.sim.Statuses("acme", "payments", sha) {
		if st.Context == context {
			state = st.State
		}
	}
	return state
}
