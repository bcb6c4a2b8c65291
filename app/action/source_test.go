package action

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

// gateContext runs zgate once on PR n and returns the context of the gate
// status it wrote on head (whatever zgate names it).
func (r *rig) gateContext(n int, head string) string {
	r.t.Helper()
	r.runPR(n)
	for c := range r.statuses(head) {
		if strings.HasPrefix(c, "zgate/production") && !isMarker(c) {
			return c
		}
	}
	r.t.Fatalf("no gate status on %s: %v", head, r.statuses(head))
	return ""
}

// forgeAndMerge posts the gate's context as success the way a pull
// request's own workflow could (github-actions[bot]), then tries to merge.
func (r *rig) forgeAndMerge(n int, head, ctx string) int {
	r.t.Helper()
	if err := r.sim.SetStatus("acme", "payments", head, "success", ctx, "Open", "github-actions[bot]"); err != nil {
		r.t.Fatal(err)
	}
	_, resp, err := r.client().PullRequests.Merge(context.Background(), "acme", "payments", n, "", &github.PullRequestOptions{SHA: head})
	var er *github.ErrorResponse
	if err != nil && !errors.As(err, &er) {
		r.t.Fatal(err)
	}
	return resp.StatusCode
}

// TestForgedStatusNeedsPinnedSource: the bypass of the old documented
// workflow, and what closes it. A status named like the gate, posted by
// another identity, merges a pull request with no approval unless branch
// protection requires the status from zgate's own identity (the App, as
// the expected source); zgate's own statuses still satisfy it.
func TestForgedStatusNeedsPinnedSource(t *testing.T) {
	t.Run("any source: the forged status merges", func(t *testing.T) {
		r := newRig(t, "merge.yml")
		n, head := r.openPR("forge", nil)
		ctx := r.gateContext(n, head)
		if err := r.sim.SetRequiredChecks("acme", "payments", "main", []string{ctx}); err != nil {
			t.Fatal(err)
		}
		if got := r.forgeAndMerge(n, head, ctx); got != http.StatusOK {
			t.Errorf("merge with a forged status = %d, want 200 (the bypass this test documents)", got)
		}
	})
	t.Run("pinned to zgate's identity", func(t *testing.T) {
		r := newRig(t, "merge.yml")
		n, head := r.openPR("forge", nil)
		ctx := r.gateContext(n, head)
		if err := r.sim.SetRequiredChecks("acme", "payments", "main", []string{ctx}); err != nil {
			t.Fatal(err)
		}
		if err := r.sim.SetRequiredCheckSource("acme", "payments", "main", ctx, self); err != nil {
			t.Fatal(err)
		}
		if got := r.forgeAndMerge(n, head, ctx); got != http.StatusMethodNotAllowed {
			t.Errorf("merge with a forged status = %d, want 405", got)
		}
		if r.pr(n).Merged {
			t.Fatal("merged on a forged status")
		}
		r.approve(n, "carol", "dave")
		r.runPR(n)
		if !r.pr(n).Merged {
			t.Error("zgate's own status did not satisfy the pinned requirement")
		}
	})
}
