package action

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/policy"
)

// perBase is the statuses of a gate on a pull request into the default
// branch: the per-base context and the legacy one, saying the same.
func perBase(legacy, base, v string) map[string]string {
	return map[string]string{legacy: v, legacy + ": " + base: v}
}

func TestScheduleSweepsEveryOpenPR(t *testing.T) {
	r := newRig(t, "merge.yml")
	ready, readyHead := r.openPR("ready", nil)
	waiting, waitingHead := r.openPR("waiting", nil)
	docs, docsHead := r.openPR("docs", map[string]string{"docs/README.md": "more docs\n"})
	r.approve(ready, "carol", "dave")
	r.approve(waiting, "dave")

	res := r.run("schedule", nil, false)
	var got []int
	for _, pr := range res.PRs {
		got = append(got, pr.Number)
	}
	if diff := cmp.Diff([]int{ready, waiting, docs}, got, cmpopts.SortSlices(func(a, b int) bool { return a < b })); diff != "" {
		t.Errorf("evaluated PRs (-want +got):\n%s", diff)
	}
	if !r.pr(ready).Merged {
		t.Error("the PR with its quorum was not merged by the sweep")
	}
	if r.pr(waiting).Merged || r.pr(docs).Merged {
		t.Error("a PR without its quorum was merged")
	}
	want := map[string]map[string]string{
		readyHead:   perBase("zgate/production", "main", "success: Open: 2 of 2 controls hold (quorum 2)"),
		waitingHead: perBase("zgate/production", "main", "pending: Pending: 1 of 2 controls hold (quorum 2)"),
		docsHead:    perBase("zgate/production", "main", "success: skipped: no changed file matches if.paths (deploy/prod/**)"),
	}
	for sha, w := range want {
		if diff := cmp.Diff(w, r.statuses(sha)); diff != "" {
			t.Errorf("statuses on %s (-want +got):\n%s", sha[:7], diff)
		}
	}
}

func TestPushToBaseReevaluatesItsPRs(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, head := r.openPR("scale", nil)
	r.approve(n, "carol", "dave")
	res := r.run("push", map[string]any{"ref": "refs/heads/main"}, false)
	if len(res.PRs) != 1 || res.PRs[0].Number != n {
		t.Fatalf("push to main evaluated %+v, want #%d", res.PRs, n)
	}
	if !r.pr(n).Merged {
		t.Errorf("not merged; statuses %v", r.statuses(head))
	}
}

func TestPolicyErrorFailsEveryGate(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, head := r.openPR("scale", nil)
	r.runPR(n)
	// The base's policy breaks after the PR was first evaluated.
	if _, err := r.sim.Push("acme", "payments", "main", map[string]string{".github/zgate.yml": readTestdata(t, "broken.yml")}, nil, "bob"); err != nil {
		t.Fatal(err)
	}
	r.approve(n, "carol", "dave")
	res := r.runPR(n)
	if !res.Failed() || res.PRs[0].PolicyError == nil {
		t.Fatalf("an unloadable policy did not fail the run: %+v", res)
	}
	if r.pr(n).Merged {
		t.Fatal("merged under an unloadable policy")
	}
	got := r.statuses(head)
	for _, c := range []string{"zgate", "zgate: main", "zgate/production", "zgate/production: main"} {
		if s := got[c]; len(s) < 6 || s[:6] != "error:" {
			t.Errorf("status %s = %q, want error", c, s)
		}
	}
}

func TestNoPolicyReportsNothing(t *testing.T) {
	r := newRig(t, "merge.yml")
	if _, err := r.sim.Push("acme", "payments", "main", nil, []string{".github/zgate.yml"}, "bob"); err != nil {
		t.Fatal(err)
	}
	n, head := r.openPR("scale", nil)
	res := r.runPR(n)
	if res.Failed() || res.PRs[0].Skipped == "" {
		t.Errorf("result = %+v, want skipped", res)
	}
	if got := r.statuses(head); len(got) != 0 {
		t.Errorf("statuses on an ungated repository: %v", got)
	}
}

func TestStatusOf(t *testing.T) {
	long := strings.Repeat("no label among deploy, release, hotfix; ", 10)
	tests := []struct {
		name  string
		gd    policy.GateDecision
		title string
		want  Status
	}{
		{
			name: "success", title: "Open: 2 of 2 controls hold (quorum 2)",
			gd:   policy.GateDecision{Name: "prod", Check: "zgate/prod", State: policy.StateSuccess},
			want: Status{Context: "zgate/prod", State: StateSuccess, Description: "Open: 2 of 2 controls hold (quorum 2)"},
		},
		{
			name: "pending", title: "Pending: 1 of 2 controls hold (quorum 2)",
			gd:   policy.GateDecision{Name: "prod", State: policy.StatePending},
			want: Status{Context: "zgate/prod", State: StatePending, Description: "Pending: 1 of 2 controls hold (quorum 2)"},
		},
		{
			name: "failure", title: "Blocked: changes requested by @carol",
			gd:   policy.GateDecision{Name: "prod", State: policy.StateFailure},
			want: Status{Context: "zgate/prod", State: StateFailure, Description: "Blocked: changes requested by @carol"},
		},
		{
			name: "error", title: "Policy error: x",
			gd:   policy.GateDecision{Check: "zgate", State: policy.StateError},
			want: Status{Context: "zgate", State: StateError, Description: "Policy error: x"},
		},
		{
			name: "skipped is success, cut to 140", title: "Skipped: the gate does not apply",
			gd:   policy.GateDecision{Name: "prod", State: policy.StateSkipped, Summary: "skipped: " + long},
			want: Status{Context: "zgate/prod", State: StateSuccess, Description: report.OneLine("skipped: "+long, MaxDescription)},
		},
		{
			name: "unknown state fails closed", title: "?",
			gd:   policy.GateDecision{Name: "prod", State: "weird"},
			want: Status{Context: "zgate/prod", State: StateFailure, Description: "?"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := statusOf(tt.gd, tt.title)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("statusOf (-want +got):\n%s", diff)
			}
			if n := utf8.RuneCountInString(got.Description); n > MaxDescription {
				t.Errorf("description has %d characters, more than %d", n, MaxDescription)
			}
		})
	}
}

func TestStatusesWrittenFitGitHubLimit(t *testing.T) {
	r := newRig(t, "labels.yml")
	n, head := r.openPR("scale", nil)
	r.runPR(n)
	sts := r.sim.Statuses("acme", "payments", head)
	if len(sts) == 0 {
		t.Fatal("no status written")
	}
	for _, s := range sts {
		if l := utf8.RuneCountInString(s.Description); l > MaxDescription {
			t.Errorf("status %s has %d characters: %q", s.Context, l, s.Description)
		}
		if !strings.HasSuffix(s.Description, "…") {
			t.Errorf("status %s = %q, want it cut with an ellipsis", s.Context, s.Description)
		}
	}
}
