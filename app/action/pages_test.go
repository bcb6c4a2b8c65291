package action

import (
	"context"
	"fmt"
	"testing"
)

// TestStatusesAcrossPages: the Action reads every commit status on the
// head (it finds its own marker and gate statuses among them) while they
// grow across page boundaries, also when pages come from the ETag cache.
func TestStatusesAcrossPages(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, "merge.yml")
	head, err := r.sim.Push("acme", "payments", "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 5\n"}, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	gh := r.env.Client(t, "acme")
	have := 0
	r.env.GrowList(t, 100, func(t *testing.T, n int) {
		for ; have < n; have++ {
			if err := r.sim.SetStatus("acme", "payments", head, "success", fmt.Sprintf("ci/%03d", have), "", "ci-bot"); err != nil {
				t.Fatal(err)
			}
		}
	}, func(t *testing.T) int {
		sts, err := statuses(ctx, gh, "acme", "payments", head)
		if err != nil {
			t.Fatal(err)
		}
		return len(sts)
	})
}
