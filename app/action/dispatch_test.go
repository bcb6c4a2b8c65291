package action

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// dispatchReady opens a PR under the dispatch policy with the quorum met.
func dispatchReady(t *testing.T) (*rig, int, string) {
	t.Helper()
	r := newRig(t, "dispatch.yml")
	n, head := r.openPR("release", nil)
	r.approve(n, "carol", "dave")
	return r, n, head
}

func TestDispatchOnce(t *testing.T) {
	r, n, head := dispatchReady(t)
	res := r.runPR(n)
	if res.Failed() {
		t.Fatalf("run failed: %+v", res)
	}
	ds := r.sim.Dispatches("acme", "payments")
	if len(ds) != 1 {
		t.Fatalf("dispatches = %d, want 1", len(ds))
	}
	wantInputs := map[string]any{"zgate_id": "run1-test", "pr": "1", "head_sha": head, "gate": "deploy", "environment": "production"}
	if diff := cmp.Diff(wantInputs, ds[0].Inputs); diff != "" {
		t.Errorf("dispatch inputs (-want +got):\n%s", diff)
	}
	want := map[string]string{
		"zgate/deploy":         "success: Open: 2 of 2 controls hold (quorum 2)",
		"zgate/deploy: main":   "success: Open: 2 of 2 controls hold (quorum 2)",
		"zgate/deploy/z: main": "success: dispatched run1-test",
	}
	if diff := cmp.Diff(want, r.statuses(head)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// The marker was pending before the dispatch went out.
	var marks []string
	for _, s := range r.sim.Statuses("acme", "payments", head) {
		if s.Context == "zgate/deploy/z: main" {
			marks = append(marks, s.State+": "+s.Description)
		}
	}
	if diff := cmp.Diff([]string{"pending: dispatched run1-test", "success: dispatched run1-test"}, marks); diff != "" {
		t.Errorf("marker history (-want +got):\n%s", diff)
	}

	// The dispatch was claimed with the ref first.
	if got := r.sim.Ref("acme", "payments", "refs/zgate/"+head+"/deploy/main"); got != head {
		t.Errorf("claim ref points at %q, want %s", got, head)
	}

	// Later events and the sweep find the marker and send nothing.
	r.runPR(n)
	r.run("schedule", nil, false)
	if got := len(r.sim.Dispatches("acme", "payments")); got != 1 {
		t.Errorf("dispatches after two more runs = %d, want 1", got)
	}
}

func TestDispatchUnknownIsSurfacedNotRetried(t *testing.T) {
	r, n, head := dispatchReady(t)
	lost := "/dispatches"
	r.lose.Store(&lost)
	res := r.runPR(n)
	r.lose.Store(nil)
	if !res.Failed() {
		t.Errorf("a dispatch with an unknown outcome did not fail the run: %+v", res)
	}
	if z := res.PRs[0].Gates[0].Z; z == nil || z.Status != "unknown" {
		t.Errorf("Z = %+v, want unknown", z)
	}
	if got, want := r.statuses(head)["zgate/deploy/z: main"], `error: unknown run1-test: check whether it ran, then set success "confirmed run1-test"`; got != want {
		t.Errorf("marker = %q, want %q", got, want)
	}
	// The call did go out once; no later run sends it again.
	r.runPR(n)
	r.run("schedule", nil, false)
	if got := len(r.sim.Dispatches("acme", "payments")); got != 1 {
		t.Errorf("dispatches = %d, want 1 (never re-sent on a guess)", got)
	}
	if got := r.writes(head, "zgate/deploy/z: main"); got != 2 {
		t.Errorf("marker written %d times, want 2 (pending, unknown)", got)
	}
}

// marker is a marker status set before a run, by zgate's identity (as an
// earlier run left it) or by someone else.
type marker struct{ state, description, by string }

func TestDispatchMarkers(t *testing.T) {
	tests := []struct {
		name    string
		markers []marker
		// claimed: the claim ref exists (an earlier run created it).
		claimed bool
		// later: how long after the markers the run happens.
		later          time.Duration
		wantDispatches int
		wantMarker     string
		wantFailed     bool
	}{
		{
			name:    "intent without a run: stopped before or during the call",
			markers: []marker{{"pending", "dispatched crash-1", self}}, claimed: true, later: time.Hour,
			wantDispatches: 0,
			wantMarker:     `error: unknown crash-1: check whether it ran, then set success "confirmed crash-1"`,
			wantFailed:     true,
		},
		{
			name:    "intent of a run still under way: left to it",
			markers: []marker{{"pending", "dispatched busy-1", self}}, claimed: true,
			wantDispatches: 0,
			wantMarker:     "pending: dispatched busy-1",
		},
		{
			name:    "unknown confirmed by a person",
			markers: []marker{{"error", "unknown crash-1: check", self}, {"success", "confirmed crash-1", "someone"}}, claimed: true,
			wantDispatches: 0,
			wantMarker:     "success: confirmed crash-1",
		},
		{
			name:           "refused by GitHub: claimed again, retried under the same id",
			markers:        []marker{{"failure", "failed old-2: GitHub refused", self}},
			wantDispatches: 1,
			wantMarker:     "success: dispatched old-2",
		},
		{
			name:    "refused, but the claim was not given back: never sent twice",
			markers: []marker{{"failure", "failed old-2: GitHub refused", self}}, claimed: true,
			wantDispatches: 0,
			wantMarker:     "failure: failed old-2: GitHub refused",
		},
		{
			name:           "unknown settled as failed by a person who deleted the claim",
			markers:        []marker{{"error", "unknown crash-1: check", self}, {"failure", "failed crash-1", "someone"}},
			wantDispatches: 1,
			wantMarker:     "success: dispatched crash-1",
		},
		{
			name:    "settled as failed, claim still there",
			markers: []marker{{"error", "unknown crash-1: check", self}, {"failure", "failed crash-1", "someone"}}, claimed: true,
			wantDispatches: 0,
			wantMarker:     "failure: failed crash-1",
		},
		{
			name:           "not understood: never dispatch on a guess",
			markers:        []marker{{"success", "whatever", self}},
			wantDispatches: 0,
			wantMarker:     "success: whatever",
		},
		{
			name:           "a forged failure after a dispatch: ignored",
			markers:        []marker{{"success", "dispatched done-1", self}, {"failure", "failed done-1", "mallory"}},
			wantDispatches: 0,
			wantMarker:     "failure: failed done-1",
		},
		{
			name:           "forged markers alone are no record: the claim decides",
			markers:        []marker{{"success", "dispatched fake-1", "mallory"}},
			wantDispatches: 1,
			wantMarker:     "success: dispatched run1-test",
		},
		{
			name:           "the claim alone: another run holds it, nothing is sent",
			claimed:        true,
			wantDispatches: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, n, head := dispatchReady(t)
			for _, m := range tt.markers {
				if err := r.sim.SetStatus("acme", "payments", head, m.state, "zgate/deploy/z: main", m.description, m.by); err != nil {
					t.Fatal(err)
				}
			}
			if tt.claimed {
				r.claim(head, "deploy")
			}
			r.later = tt.later
			res := r.runPR(n)
			if got := len(r.sim.Dispatches("acme", "payments")); got != tt.wantDispatches {
				t.Errorf("dispatches = %d, want %d", got, tt.wantDispatches)
			}
			if got := r.statuses(head)["zgate/deploy/z: main"]; got != tt.wantMarker {
				t.Errorf("marker = %q, want %q", got, tt.wantMarker)
			}
			if res.Failed() != tt.wantFailed {
				t.Errorf("run failed = %v, want %v: %+v", res.Failed(), tt.wantFailed, res)
			}
		})
	}
}

// TestDispatchLegacyMarker: a marker of zgate before markers named their
// base still records the dispatch, so an upgrade does not dispatch again.
func TestDispatchLegacyMarker(t *testing.T) {
	r, n, head := dispatchReady(t)
	if err := r.sim.SetStatus("acme", "payments", head, "success", "zgate/deploy/z", "dispatched old-1", self); err != nil {
		t.Fatal(err)
	}
	r.runPR(n)
	if got := len(r.sim.Dispatches("acme", "payments")); got != 0 {
		t.Errorf("dispatches = %d, want 0", got)
	}
}

// TestDispatchIdentityUnknown: without a configured identity no marker is
// trusted before this run writes one; the claim ref still stops a second
// dispatch, and the run learns its identity from its own marker.
func TestDispatchIdentityUnknown(t *testing.T) {
	r, n, head := dispatchReady(t)
	r.identity = ""
	r.runPR(n)
	r.runPR(n)
	if got := len(r.sim.Dispatches("acme", "payments")); got != 1 {
		t.Errorf("dispatches = %d, want 1", got)
	}
	if got, want := r.statuses(head)["zgate/deploy/z: main"], "success: dispatched run1-test"; got != want {
		t.Errorf("marker = %q, want %q", got, want)
	}
}

func TestDispatchReconciledByRunName(t *testing.T) {
	r, n, head := dispatchReady(t)
	// A run named after the id exists: the dispatch went out before the
	// crash, so the intent is settled as done without sending again.
	r.runPR(n)
	if err := r.sim.SetStatus("acme", "payments", head, "pending", "zgate/deploy/z: main", "dispatched run1-test", self); err != nil {
		t.Fatal(err)
	}
	r.later = time.Hour
	r.runPR(n)
	if got := len(r.sim.Dispatches("acme", "payments")); got != 1 {
		t.Errorf("dispatches = %d, want 1", got)
	}
	if got, want := r.statuses(head)["zgate/deploy/z: main"], "success: dispatched run1-test"; got != want {
		t.Errorf("marker = %q, want %q", got, want)
	}
}
