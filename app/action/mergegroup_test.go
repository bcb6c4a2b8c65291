package action

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// checksRequested is a merge_group checks_requested event for entry e.
func checksRequested(e githubsim.QueueEntry) map[string]any {
	return map[string]any{"action": "checks_requested", "merge_group": map[string]any{
		"head_sha": e.GroupSHA, "head_ref": "refs/heads/" + e.GroupRef, "base_ref": "refs/heads/main"}}
}

func (r *rig) queue() []githubsim.QueueEntry { return r.sim.MergeQueue("acme", "payments", "main") }

// TestMergeQueueAction: the Action adds pull requests to the merge queue
// (never a REST merge), passes each merge group whose pull requests all
// hold the gate, fails the group of one that lost an approval while
// queued, naming it, and the others merge.
func TestMergeQueueAction(t *testing.T) {
	r := newRig(t, "merge.yml")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.sim.SetRequiredChecks("acme", "payments", "main", []string{"zgate/production", "ci"}))
	must(r.sim.RequireMergeQueue("acme", "payments", "main", true))
	var prs []int
	for _, name := range []string{"a", "b", "c"} {
		n, head := r.openPR("change-"+name, map[string]string{"deploy/prod/" + name + ".yml": "replicas: 1\n"})
		must(r.sim.SetStatus("acme", "payments", head, "success", "ci", "", "ci-bot"))
		r.approve(n, "carol", "dave")
		if res := r.runPR(n); res.Failed() {
			t.Fatalf("run on #%d failed: %+v", n, res)
		}
		prs = append(prs, n)
	}
	q := r.queue()
	if len(q) != 3 || q[0].PR != prs[0] || q[1].PR != prs[1] || q[2].PR != prs[2] {
		t.Fatalf("merge queue %+v, want %v", q, prs)
	}
	for i, e := range q {
		res := r.run("merge_group", checksRequested(e), false)
		if res.Failed() || res.MergeGroup == nil {
			t.Fatalf("merge_group run: %+v", res)
		}
		st := r.statuses(e.GroupSHA)
		for _, name := range []string{"zgate/production", "zgate/production: main"} {
			if !strings.HasPrefix(st[name], "success: ") || !strings.Contains(st[name], fmt.Sprintf("#%d", prs[i])) {
				t.Errorf("group %d status %s = %q, want success naming #%d", i, name, st[name], prs[i])
			}
		}
	}

	// #2 loses carol's approval while queued: its group fails naming it.
	if _, err := r.sim.SubmitReview("acme", "payments", prs[1], "carol", "REQUEST_CHANGES", "wait"); err != nil {
		t.Fatal(err)
	}
	r.run("merge_group", checksRequested(q[1]), false)
	if got := r.statuses(q[1].GroupSHA)["zgate/production: main"]; !strings.HasPrefix(got, "failure: ") || !strings.Contains(got, fmt.Sprintf("#%d", prs[1])) {
		t.Errorf("status of #%d's group = %q, want a failure naming it", prs[1], got)
	}
	q2 := r.queue()
	if len(q2) != 2 || q2[0] != q[0] || q2[1].PR != prs[2] || q2[1].GroupSHA == q[2].GroupSHA {
		t.Fatalf("queue after the failure %+v", q2)
	}
	r.run("merge_group", checksRequested(q2[1]), false)
	must(r.sim.SetStatus("acme", "payments", q2[1].GroupSHA, "success", "ci", "", "ci-bot"))
	for i, want := range []bool{true, false, true} {
		if pr := r.pr(prs[i]); pr.Merged != want {
			t.Errorf("#%d merged = %v, want %v", prs[i], pr.Merged, want)
		}
	}
	if got := r.merges(); got != 0 {
		t.Errorf("REST merge calls = %d on a branch that requires a merge queue, want 0", got)
	}
	// A destroyed group needs nothing.
	if res := r.run("merge_group", map[string]any{"action": "destroyed", "reason": "merged", "merge_group": map[string]any{"head_sha": q2[1].GroupSHA, "head_ref": "refs/heads/" + q2[1].GroupRef}}, false); res.MergeGroup != nil || res.Failed() {
		t.Errorf("destroyed: %+v", res)
	}
}

// TestMergeGroupUnknownFailsClosed: a group no merge group branch points
// at is failed, never passed.
func TestMergeGroupUnknownFailsClosed(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, head := r.openPR("scale", nil)
	r.approve(n, "carol", "dave")
	// A commit that is no merge group, announced as one.
	sha, err := r.sim.Push("acme", "payments", "fake", map[string]string{"x": "y\n"}, nil, "mallory")
	if err != nil {
		t.Fatal(err)
	}
	e := githubsim.QueueEntry{PR: n, HeadSHA: head, GroupSHA: sha, GroupRef: fmt.Sprintf("gh-readonly-queue/main/pr-%d-%s", n, head)}
	r.run("merge_group", checksRequested(e), false)
	if got := r.statuses(sha)["zgate/production: main"]; !strings.HasPrefix(got, "failure: ") {
		t.Errorf("status on an unknown group = %q, want failure", got)
	}
}
