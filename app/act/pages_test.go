package act

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
)

// TestFindRunAcrossPages: reconciling a dispatch finds its workflow run
// while newer runs push it across page boundaries (runs are listed newest
// first), also when pages come from the ETag cache.
func TestFindRunAcrossPages(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	dispatch := func(t *testing.T, id string) {
		t.Helper()
		if _, err := f.gh.Actions.CreateWorkflowDispatchEventByFileName(ctx, owner, repoName, "deploy.yml",
			github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"zgate_id": id}}); err != nil {
			t.Fatal(err)
		}
	}
	target := &execution{gh: f.gh, e: store.Execution{ID: "zg-target", Key: f.key}}
	have := 0
	f.env.GrowList(t, 100, func(t *testing.T, n int) {
		for ; have < n; have++ {
			id := fmt.Sprintf("zg-other-%03d", have)
			if have == 0 {
				id = target.e.ID // the oldest run, last in the list
			}
			dispatch(t, id)
		}
	}, func(t *testing.T) int {
		run, err := target.findRun(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if run == nil || run.GetName() != target.e.ID {
			return -1 // not found
		}
		return have
	})
}
