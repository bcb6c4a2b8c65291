package metrics

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

func TestRegisterBuildInfo(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := RegisterBuildInfo(reg, "v1.2.3", "0123abc", "go1.26.8"); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 1 || mfs[0].GetName() != "zgate_build_info" || len(mfs[0].GetMetric()) != 1 {
		t.Fatalf("gathered %v, want one zgate_build_info series", mfs)
	}
	m := mfs[0].GetMetric()[0]
	labels := map[string]string{}
	for _, l := range m.GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	if diff := cmp.Diff(map[string]string{"version": "v1.2.3", "revision": "0123abc", "goversion": "go1.26.8"}, labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if got := m.GetGauge().GetValue(); got != 1 {
		t.Errorf("value = %v, want 1", got)
	}
	if err := RegisterBuildInfo(reg, "v1.2.3", "0123abc", "go1.26.8"); err == nil {
		t.Error("registering zgate_build_info twice on one registry succeeded")
	}
}
