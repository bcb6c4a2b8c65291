package action

import (
	"testing"

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
		"zgate/deploy":       "success: Open: 2 of 2 controls hold (quorum 2)",
		"zgate/deploy: main": "success: Open: 2 of 2 controls hold (quorum 2)",
		"zgate/deploy/z":     "success: dispatched run1-test",
	}
	if diff := cmp.Diff(want, r.statuses(head)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// The marker was pending before the dispatch went out.
	var marks []string
	for _, s := range r.sim.Statuses("acme", "payments", head) {
		if s.Context == "zgate/deploy/z" {
			marks = append(marks, s.State+": "+s.Description)
		}
	}
	if diff := cmp.Diff([]string{"pending: dispatched run1-test", "success: dispatched run1-test"}, marks); diff != "" {
		t.Errorf("marker history (-want +got):\n%s", diff)
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
	if got, want := r.statuses(head)["zgate/deploy/z"], `error: unknown run1-test: check whether it ran, then set success "confirmed run1-test"`; got != want {
		t.Errorf("marker = %q, want %q", got, want)
	}
	// The call did go out once; no later run sends it again.
	r.runPR(n)
	r.run("schedule", nil, false)
	if got := len(r.sim.Dispatches("acme", "payments")); got != 1 {
		t.Errorf("dispatches = %d, want 1 (never re-sent on a guess)", got)
	}
	if got := r.writes(head, "zgate/deploy/z"); got != 2 {
		t.Errorf("marker written %d times, want 2 (pending, unknown)", got)
	}
}

func TestDispatchMarkers(t *testing.T) {
	tests := []struct {
		name string
		// marker is set on the head before the run, as a crash or a
		// person left it.
		state, description string
		wantDispatches     int
		wantMarker         string
	}{
		{
			name:  "intent without a run: crashed before or during the call",
			state: "pending", description: "dispatched crash-1",
			wantDispatches: 0,
			wantMarker:     `error: unknown crash-1: check whether it ran, then set success "confirmed crash-1"`,
		},
		{
			name:  "confirmed by a person",
			state: "success", description: "confirmed crash-1",
			wantDispatches: 0,
			wantMarker:     "success: confirmed crash-1",
		},
		{
			name:  "refused by GitHub: retried under the same id",
			state: "failure", description: "failed old-2: GitHub refused",
			wantDispatches: 1,
			wantMarker:     "success: dispatched old-2",
		},
		{
			name:  "not understood: never dispatch on a guess",
			state: "success", description: "whatever",
			wantDispatches: 0,
			wantMarker:     "success: whatever",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, n, head := dispatchReady(t)
			if err := r.sim.SetStatus("acme", "payments", head, tt.state, "zgate/deploy/z", tt.description, "someone"); err != nil {
				t.Fatal(err)
			}
			r.runPR(n)
			if got := len(r.sim.Dispatches("acme", "payments")); got != tt.wantDispatches {
				t.Errorf("dispatches = %d, want %d", got, tt.wantDispatches)
			}
			if got := r.statuses(head)["zgate/deploy/z"]; got != tt.wantMarker {
				t.Errorf("marker = %q, want %q", got, tt.wantMarker)
			}
		})
	}
}

func TestDispatchReconciledByRunName(t *testing.T) {
	r, n, head := dispatchReady(t)
	// A run named after the id exists: the dispatch went out before the
	// crash, so the intent is settled as done without sending again.
	r.runPR(n)
	if err := r.sim.SetStatus("acme", "payments", head, "pending", "zgate/deploy/z", "dispatched run1-test", "github-actions[bot]"); err != nil {
		t.Fatal(err)
	}
	r.runPR(n)
	if got := len(r.sim.Dispatches("acme", "payments")); got != 1 {
		t.Errorf("dispatches = %d, want 1", got)
	}
	if got, want := r.statuses(head)["zgate/deploy/z"], "success: dispatched run1-test"; got != want {
		t.Errorf("marker = %q, want %q", got, want)
	}
}
