package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestNewRegistersOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	m.Webhooks.WithLabelValues("push", "accepted").Inc()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) == 0 {
		t.Errorf("Gather() found no metrics")
	}
	if _, err := New(reg); err == nil {
		t.Errorf("second New on the same registry: got nil error, want a duplicate registration error")
	}
}
