package action

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMergeOnce(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, head := r.openPR("scale", nil)

	r.runPR(n)
	if got, want := r.statuses(head)["zgate/production"], "pending: Pending: 0 of 2 controls hold (quorum 2)"; got != want {
		t.Errorf("status after opening = %q, want %q", got, want)
	}
	r.approve(n, "carol")
	r.runPR(n)
	if got, want := r.statuses(head)["zgate/production"], "pending: Pending: 1 of 2 controls hold (quorum 2)"; got != want {
		t.Errorf("status after one approval = %q, want %q", got, want)
	}
	r.approve(n, "dave")
	res := r.runPR(n)
	if res.Failed() {
		t.Fatalf("run failed: %+v", res)
	}
	if got, want := r.statuses(head)["zgate/production"], "success: Open: 2 of 2 controls hold (quorum 2)"; got != want {
		t.Errorf("status after quorum = %q, want %q", got, want)
	}
	if pr := r.pr(n); !pr.Merged {
		t.Fatalf("PR not merged after the quorum held: %+v", pr)
	}
	if z := res.PRs[0].Gates[0].Z; z == nil || z.Status != "done" {
		t.Errorf("Z = %+v, want done", z)
	}
	// Running again (a duplicated or late event) merges nothing more.
	res = r.runPR(n)
	if got := res.PRs[0].Skipped; !strings.Contains(got, "closed") {
		t.Errorf("second run on the merged PR: skipped = %q, want closed", got)
	}
	if got := r.merges(); got != 1 {
		t.Errorf("merge calls = %d, want 1", got)
	}
	if got := r.writes(head, "zgate/production"); got != 3 {
		t.Errorf("zgate/production written %d times, want 3 (pending 0, pending 1, success)", got)
	}
	if !strings.Contains(r.summary.String(), "zgate/production") {
		t.Errorf("job summary lacks the gate:\n%s", r.summary.String())
	}
}

func TestUnchangedStatusNotRewritten(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, head := r.openPR("scale", nil)
	r.runPR(n)
	res := r.runPR(n)
	if g := res.PRs[0].Gates[0]; g.Written {
		t.Errorf("second run rewrote an unchanged status: %+v", g)
	}
	if got := r.writes(head, "zgate/production"); got != 1 {
		t.Errorf("zgate/production written %d times, want 1", got)
	}
}

func TestPushAfterApprovalStalesIt(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, _ := r.openPR("scale", nil)
	r.approve(n, "carol", "dave")
	// A push lands before zgate runs: the approvals are on the old head.
	head, err := r.sim.Push("acme", "payments", "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 50\n"}, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	r.run("push", map[string]any{"ref": "refs/heads/scale"}, false) // not a base: no PR
	res := r.runPR(n)
	if r.pr(n).Merged {
		t.Fatal("merged on approvals of an older head")
	}
	want := map[string]string{
		"zgate/production":       "pending: Pending: 0 of 2 controls hold (quorum 2)",
		"zgate/production: main": "pending: Pending: 0 of 2 controls hold (quorum 2)",
	}
	if diff := cmp.Diff(want, r.statuses(head)); diff != "" {
		t.Errorf("statuses on the new head (-want +got):\n%s", diff)
	}
	if res.Failed() {
		t.Errorf("run failed: %+v", res)
	}
	r.approve(n, "carol", "dave")
	r.runPR(n)
	if !r.pr(n).Merged {
		t.Error("not merged after fresh approvals of the new head")
	}
}

func TestWeakenedPolicyJudgedByBase(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, head := r.openPR("weaken", map[string]string{
		".github/zgate.yml":        readTestdata(t, "weakened.yml"),
		".github/CODEOWNERS":       "* @acme/sre\n",
		"deploy/prod/payments.yml": "replicas: 9\n",
	})
	r.approve(n, "carol") // enough under the PR's own policy, not the base's
	r.runPR(n)
	if r.pr(n).Merged {
		t.Fatal("merged under the PR's own weakened policy")
	}
	if got, want := r.statuses(head)["zgate/production"], "pending: Pending: 1 of 2 controls hold (quorum 2)"; got != want {
		t.Errorf("status = %q, want %q (the base's quorum of 2)", got, want)
	}
}

func TestDryRunNeverActs(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, head := r.openPR("scale", nil)
	r.approve(n, "carol", "dave")
	res := r.run("pull_request", map[string]any{"number": n}, true)
	if r.pr(n).Merged {
		t.Fatal("dry run merged")
	}
	if got, want := r.statuses(head)["zgate/production"], "success: Open: 2 of 2 controls hold (quorum 2)"; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
	if res.Failed() {
		t.Errorf("dry run failed: %+v", res)
	}
}

func TestMergeRefusedIsReportedNotRetried(t *testing.T) {
	r := newRig(t, "merge.yml")
	if err := r.sim.SetRequiredChecks("acme", "payments", "main", []string{"zgate/production", "ci"}); err != nil {
		t.Fatal(err)
	}
	n, head := r.openPR("scale", nil)
	r.approve(n, "carol", "dave")
	res := r.runPR(n)
	if !res.Failed() {
		t.Errorf("a refused merge did not fail the run: %+v", res)
	}
	if z := res.PRs[0].Gates[0].Z; z == nil || z.Status != "failed" {
		t.Errorf("Z = %+v, want failed", z)
	}
	if got := r.merges(); got != 1 {
		t.Errorf("merge calls = %d, want 1 (no retry within a run)", got)
	}
	if r.pr(n).Merged {
		t.Fatal("merged with a required check missing")
	}
	// Once CI is green, the next run merges.
	if err := r.sim.SetStatus("acme", "payments", head, "success", "ci", "tests passed", "ci-bot"); err != nil {
		t.Fatal(err)
	}
	if res := r.runPR(n); res.Failed() || !r.pr(n).Merged {
		t.Errorf("after CI turned green: failed = %v, merged = %v; want a merge", res.Failed(), r.pr(n).Merged)
	}
}

func TestOverrideCommentOpensGate(t *testing.T) {
	r := newRig(t, "override.yml")
	n, _ := r.openPR("hotfix", nil)
	nextSecond() // an override dated the second GitHub first saw the head does not count
	if _, err := r.sim.Comment("acme", "payments", n, "carol", "/zgate override db is down"); err != nil {
		t.Fatal(err)
	}
	r.run("issue_comment", map[string]any{"action": "created", "issue": map[string]any{"number": n, "pull_request": map[string]any{"url": "x"}}}, false)
	if !r.pr(n).Merged {
		t.Error("break-glass override did not open the gate")
	}
	if !strings.Contains(r.summary.String(), "db is down") {
		t.Errorf("job summary lacks the override reason:\n%s", r.summary.String())
	}
}

// TestTagDoesNotShadowBasePolicy: a tag named "main" at a commit with a
// weak policy does not decide the gate of a pull request into main (git
// resolves the bare name "main" to the tag first).
func TestTagDoesNotShadowBasePolicy(t *testing.T) {
	r := newRig(t, "merge.yml")
	weak, err := r.sim.Push("acme", "payments", "weak", map[string]string{
		".github/zgate.yml":  readTestdata(t, "weakened.yml"),
		".github/CODEOWNERS": "* @acme/sre\n",
	}, nil, "mallory")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.sim.CreateTag("acme", "payments", "main", weak); err != nil {
		t.Fatal(err)
	}
	n, _ := r.openPR("scale", nil)
	r.approve(n, "carol") // enough under the tag's policy, not the branch's
	r.runPR(n)
	if r.pr(n).Merged {
		t.Fatal("merged under the policy of tag main")
	}
}
