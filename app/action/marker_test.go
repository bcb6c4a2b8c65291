package action

import (
	"testing"

	"github.com/zgate-dev/zgate/app/store"
)

func TestParseMarker(t *testing.T) {
	tests := []struct {
		name       string
		in         Status
		wantStatus store.ExecutionStatus
		wantID     string
	}{
		{name: "intent", in: Status{State: "pending", Description: "dispatched zg-1"}, wantStatus: store.ExecIntent, wantID: "zg-1"},
		{name: "done", in: Status{State: "success", Description: "dispatched zg-1"}, wantStatus: store.ExecDone, wantID: "zg-1"},
		{name: "confirmed", in: Status{State: "success", Description: "confirmed zg-1"}, wantStatus: store.ExecConfirmed, wantID: "zg-1"},
		{name: "failed", in: Status{State: "failure", Description: "failed zg-1: GitHub refused"}, wantStatus: store.ExecFailed, wantID: "zg-1"},
		{name: "unknown", in: Status{State: "error", Description: "unknown zg-1: check"}, wantStatus: store.ExecUnknown, wantID: "zg-1"},
		{name: "state and word disagree", in: Status{State: "failure", Description: "dispatched zg-1"}, wantStatus: store.ExecUnknown, wantID: "zg-1"},
		{name: "no id", in: Status{State: "success", Description: "dispatched"}, wantStatus: store.ExecUnknown},
		{name: "bad id", in: Status{State: "success", Description: "dispatched <script>"}, wantStatus: store.ExecUnknown},
		{name: "empty", in: Status{}, wantStatus: store.ExecUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, id := ParseMarker(tt.in)
			if status != tt.wantStatus || id != tt.wantID {
				t.Errorf("ParseMarker(%+v) = %s, %q; want %s, %q", tt.in, status, id, tt.wantStatus, tt.wantID)
			}
		})
	}
}

// TestMarkerRoundTrip checks that every marker zgate writes reads back as
// what it records.
func TestMarkerRoundTrip(t *testing.T) {
	for _, st := range []store.ExecutionStatus{store.ExecIntent, store.ExecDone, store.ExecConfirmed, store.ExecFailed, store.ExecUnknown} {
		m := markerStatus("deploy", "release/1.2", st, "zg-0123456789abcdef")
		if m.Context != "zgate/deploy/z: release/1.2" {
			t.Errorf("marker context = %q, want zgate/deploy/z: release/1.2", m.Context)
		}
		if !isMarker(m.Context) {
			t.Errorf("isMarker(%q) = false", m.Context)
		}
		if got, id := ParseMarker(m); got != st || id != "zg-0123456789abcdef" {
			t.Errorf("ParseMarker(markerStatus(%s)) = %s, %q", st, got, id)
		}
	}
}

func FuzzParseMarker(f *testing.F) {
	f.Add("pending", "dispatched zg-1")
	f.Add("success", "dispatched 77-abc")
	f.Add("error", "unknown zg-1: check whether it ran")
	f.Add("failure", "failed zg-1: GitHub refused")
	f.Add("success", "confirmed zg-1")
	f.Fuzz(func(t *testing.T, state, description string) {
		status, id := ParseMarker(Status{State: state, Description: description})
		if id != "" && !validID(id) {
			t.Fatalf("ParseMarker returned invalid id %q", id)
		}
		if id == "" && status != store.ExecUnknown {
			t.Fatalf("ParseMarker without an id = %s, want unknown", status)
		}
		if status == store.ExecUnknown || id == "" {
			return
		}
		// What it read, written back, reads the same.
		if got, gotID := ParseMarker(markerStatus("g", "main", status, id)); got != status || gotID != id {
			t.Fatalf("round trip of %s %q = %s %q", status, id, got, gotID)
		}
	})
}

func TestIsMarker(t *testing.T) {
	for ctx, want := range map[string]bool{
		"zgate/deploy/z: main":        true,
		"zgate/deploy/z: ops/z":       true,
		"zgate/deploy/z":              true, // before markers named their base
		"zgate/deploy":                false,
		"zgate/deploy: main":          false,
		"zgate/deploy: ops/z":         false, // a base ending in /z
		"zgate":                       false,
		"ci/z":                        false,
		"zgate/deploy/zz: main":       false,
		"zgate/deploy/z: release/1.2": true,
	} {
		if got := isMarker(ctx); got != want {
			t.Errorf("isMarker(%q) = %v, want %v", ctx, got, want)
		}
	}
}
