package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMergeWaitsFor(t *testing.T) {
	d := Decision{Gates: []GateDecision{
		{Name: "docs", State: StateSuccess, Action: ActionMerge},
		{Name: "production", State: StatePending, Action: ActionMerge},
		{Name: "staging", State: StateSkipped, Action: ActionMerge},
		{Name: "deploy", State: StateFailure, Action: ActionDispatch},
		{Name: "report", State: StateSuccess, Action: ActionNone},
	}}
	names := func(gs []GateDecision) []string {
		var out []string
		for _, g := range gs {
			out = append(out, g.Name)
		}
		return out
	}
	for _, tt := range []struct {
		gate string
		want []string
	}{
		{"docs", []string{"production", "deploy"}},
		{"production", []string{"deploy"}},
		{"deploy", nil}, // a dispatch is per gate
		{"report", nil},
		{"nope", nil},
	} {
		if diff := cmp.Diff(tt.want, names(MergeWaitsFor(d, tt.gate))); diff != "" {
			t.Errorf("MergeWaitsFor(%s) (-want +got):\n%s", tt.gate, diff)
		}
	}
	alone := Decision{Gates: []GateDecision{{Name: "docs", State: StateSuccess, Action: ActionMerge}, {Name: "x", State: StateSkipped}}}
	if got := MergeWaitsFor(alone, "docs"); got != nil {
		t.Errorf("MergeWaitsFor with only skipped others = %v, want nil", got)
	}
}
