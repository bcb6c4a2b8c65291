package action

import (
	"context"
	"testing"
)

// BenchmarkRunUnchangedPR measures one Action run on a pull request whose
// decision has not changed (the common case: a duplicate event, or the
// sweep), and the REST calls it costs.
func BenchmarkRunUnchangedPR(b *testing.B) {
	r := newRig(b, "merge.yml")
	n, _ := r.openPR("scale", nil)
	r.approve(n, "carol")
	cfg := Config{Client: r.client(), Repository: "acme/payments", EventName: "pull_request", Event: []byte(`{"number": 1}`)}
	if _, err := Run(context.Background(), cfg); err != nil {
		b.Fatal(err)
	}
	r.sim.ResetCalls()
	b.ResetTimer()
	for range b.N {
		res, err := Run(context.Background(), cfg)
		if err != nil || res.Failed() || res.PRs[0].Gates[0].Written {
			b.Fatalf("run: %v, %+v", err, res)
		}
	}
	b.StopTimer()
	calls := 0
	for _, c := range r.sim.Calls() {
		calls += c
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
}
