package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/zgate-dev/zgate/app/store"
)

// TestListsGrowAcrossPages: the lists the engine reads (the repositories
// of an installation for the sweep, the combined status it guards, the
// App's installations) are read to their end while they grow across page
// boundaries, also when pages come from the ETag cache.
func TestListsGrowAcrossPages(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		extra int // items before grow adds any
		grow  func(t *testing.T, r *rig, head string, i int)
		read  func(t *testing.T, r *rig, head string) int
	}{
		{
			name:  "installation repositories",
			extra: 1, // acme/payments
			grow: func(t *testing.T, r *rig, _ string, i int) {
				if err := r.sim.CreateRepo("acme", fmt.Sprintf("r%03d", i), map[string]string{"README.md": "x\n"}); err != nil {
					t.Fatal(err)
				}
			},
			read: func(t *testing.T, r *rig, _ string) int {
				gh, err := r.eng.cfg.Clients.Installation(r.inst)
				if err != nil {
					t.Fatal(err)
				}
				keys, err := installationRepos(ctx, gh, r.inst)
				if err != nil {
					t.Fatal(err)
				}
				return len(keys)
			},
		},
		{
			name: "combined status",
			grow: func(t *testing.T, r *rig, head string, i int) {
				if err := r.sim.SetStatus("acme", "payments", head, "success", fmt.Sprintf("ci/%03d", i), "", "ci-bot"); err != nil {
					t.Fatal(err)
				}
			},
			read: func(t *testing.T, r *rig, head string) int {
				gh, err := r.eng.cfg.Clients.Installation(r.inst)
				if err != nil {
					t.Fatal(err)
				}
				sts, err := combinedStatuses(ctx, gh, store.PRKey{Installation: r.inst, Owner: "acme", Repo: "payments"}, head)
				if err != nil {
					t.Fatal(err)
				}
				return len(sts)
			},
		},
		{
			// The sweep lists the App's installations (with the App's JWT,
			// not cached) and then each one's repositories.
			name:  "installations",
			extra: 1, // acme
			grow: func(t *testing.T, r *rig, _ string, i int) {
				if err := r.sim.CreateRepo(fmt.Sprintf("org%03d", i), "app", map[string]string{"README.md": "x\n"}); err != nil {
					t.Fatal(err)
				}
			},
			read: func(t *testing.T, r *rig, _ string) int {
				r.queue.keys = nil
				if err := r.eng.Sweep(ctx); err != nil {
					t.Fatal(err)
				}
				return len(r.queue.keys)
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, gatedFiles(t))
			_, head := r.openPR("scale")
			have := tt.extra
			r.env.GrowList(t, 100, func(t *testing.T, n int) {
				for ; have < n; have++ {
					tt.grow(t, r, head, have)
				}
			}, func(t *testing.T) int { return tt.read(t, r, head) })
		})
	}
}

// TestForeignStatusOnPageTwoIsOverwritten: a status claiming the gate's
// check, pushed past the first page of the combined status by 100 newer
// statuses of other contexts, is found and overwritten all the same.
func TestForeignStatusOnPageTwoIsOverwritten(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	k, head := r.openPR("scale")
	r.reevaluate(k)
	if err := r.sim.SetStatus("acme", "payments", head, "success", "zgate/production", "trust me", "mallory"); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := r.sim.SetStatus("acme", "payments", head, "success", fmt.Sprintf("lint/%03d", i), "", "mallory"); err != nil {
			t.Fatal(err)
		}
	}
	r.reevaluate(k)
	var latest string
	for _, st := range r.sim.Statuses("acme", "payments", head) {
		if st.Context == "zgate/production" {
			latest = st.State + " by " + st.Creator
		}
	}
	if latest == "success by mallory" {
		t.Errorf("latest zgate/production status = %s, want zgate's pending", latest)
	}
}
