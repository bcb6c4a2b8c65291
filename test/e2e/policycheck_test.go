package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

const (
	policyCheck     = "zgate/policy"
	policyCheckMain = "zgate/policy: main"
)

func isConclusion(want string) func(githubsim.CheckRun) bool {
	return func(c githubsim.CheckRun) bool { return c.Status == "completed" && c.Conclusion == want }
}

// TestPolicyCheckLoweredQuorum (issue 9, 3): a pull request lowering the
// production quorum gets a neutral zgate/policy check with the weakening
// in bold, under the legacy and the per-base name; the production gate of
// the same pull request still uses main's quorum of 2.
func TestPolicyCheckLoweredQuorum(t *testing.T) {
	w := newWorld(t)
	w.serve()
	weaker := strings.Replace(policyFile, "quorum: 2", "quorum: 1", 1)
	n, head := w.openPR("weaken", map[string]string{
		".github/zgate.yml":        weaker,
		"deploy/prod/payments.yml": "replicas: 7\n",
	})
	for _, name := range []string{policyCheck, policyCheckMain} {
		c := w.waitRun(head, name+" neutral", named(name, isConclusion("neutral")))
		if !strings.Contains(c.Output.Summary, "| **`production`** | **weaker: quorum lowered: 2 → 1** |") {
			t.Errorf("%s summary does not call out the lowered quorum in bold:\n%s", name, c.Output.Summary)
		}
		if c.Output.Title != "Policy change weakens gate production" {
			t.Errorf("%s title = %q", name, c.Output.Title)
		}
	}
	// The gate keeps the base branch's policy: one approval is 1 of 2.
	w.approve(n, "dave")
	w.pendingWith(head, 1)
	time.Sleep(300 * time.Millisecond)
	w.assertNotMerged(n)
}

// TestPolicyCheckBrokenPolicy (issue 9, 3): a pull request whose
// zgate.yml does not load gets a failing zgate/policy check with each
// problem annotated on its line and column, as `zgate validate` prints it.
// Fixing the file on the same pull request turns the check green on the
// new head, with no annotation.
func TestPolicyCheckBrokenPolicy(t *testing.T) {
	w := newWorld(t)
	w.serve()
	broken := strings.Replace(policyFile, "quorum: 2", "quorum: two", 1)
	broken = strings.Replace(broken, "window: 24h", "window: soon", 1)
	_, head := w.openPR("broken", map[string]string{".github/zgate.yml": broken})
	c := w.waitRun(head, policyCheck+" failure", named(policyCheck, isConclusion("failure")))
	got := w.sim.CheckRunAnnotations(owner, repoName, c.ID)
	want := []githubsim.CheckAnnotation{
		{Path: ".github/zgate.yml", StartLine: 11, EndLine: 11, StartColumn: 13, EndColumn: 13, AnnotationLevel: "failure",
			Message: `.github/zgate.yml:11:13: quorum: want an integer, got a string ("two")`},
		{Path: ".github/zgate.yml", StartLine: 12, EndLine: 12, StartColumn: 13, EndColumn: 13, AnnotationLevel: "failure",
			Message: `.github/zgate.yml:12:13: window: bad duration "soon": want e.g. 24h, 90m, 7d or 2d12h`},
	}
	if len(got) != len(want) {
		t.Fatalf("annotations = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("annotation %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if !strings.Contains(c.Output.Summary, "does not load") {
		t.Errorf("summary:\n%s", c.Output.Summary)
	}

	fixed, err := w.sim.Push(owner, repoName, "broken", map[string]string{".github/zgate.yml": strings.Replace(policyFile, "window: 24h", "window: 12h", 1)}, nil, "alice")
	must(t, err)
	ok := w.waitRun(fixed, policyCheck+" success", named(policyCheck, isConclusion("success")))
	if n := len(w.sim.CheckRunAnnotations(owner, repoName, ok.ID)); n != 0 {
		t.Errorf("the fixed policy's check has %d annotations, want 0", n)
	}
	if !strings.Contains(ok.Output.Summary, "window shortened: 24h → 12h") {
		t.Errorf("summary:\n%s", ok.Output.Summary)
	}
}

// TestPolicyCheckPerBase (issue 9, 3): the same head is the head of a
// pull request into main and one into a branch whose policy already has
// quorum 1. Each check describes its own base's diff: main's is neutral
// (quorum lowered), the branch's success (nothing changes there), and
// neither writes the other's name.
func TestPolicyCheckPerBase(t *testing.T) {
	w := newWorld(t)
	w.serve()
	weaker := strings.Replace(policyFile, "quorum: 2", "quorum: 1", 1)
	_, err := w.sim.Push(owner, repoName, "lax", map[string]string{".github/zgate.yml": weaker}, nil, "mallory")
	must(t, err)
	_, head := w.openPR("weaken", map[string]string{".github/zgate.yml": weaker, "notes.txt": "x\n"})
	_, err = w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "weaken", Base: "lax", Title: "same head into lax", Author: "alice"})
	must(t, err)
	w.waitRun(head, "main's check neutral", named(policyCheckMain, isConclusion("neutral")))
	lax := w.waitRun(head, "lax's check", named(policyCheck+": lax", func(c githubsim.CheckRun) bool { return c.Status == "completed" }))
	if lax.Conclusion != "success" || strings.Contains(lax.Output.Summary, "quorum") {
		t.Errorf("lax's check = %s:\n%s", lax.Conclusion, lax.Output.Summary)
	}
	time.Sleep(300 * time.Millisecond)
	for _, c := range w.sim.CheckRuns(owner, repoName, head) {
		if (c.Name == policyCheck || c.Name == policyCheckMain) && c.Conclusion != "neutral" && c.Conclusion != "cancelled" {
			t.Errorf("%s on the shared head = %s, want neutral (main's diff)", c.Name, c.Conclusion)
		}
	}
}

// TestNoPolicyCheckWithoutRuleChange: a pull request that changes no rule
// file gets no zgate/policy check.
func TestNoPolicyCheckWithoutRuleChange(t *testing.T) {
	w := newWorld(t)
	w.serve()
	_, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	time.Sleep(300 * time.Millisecond)
	for _, c := range w.sim.CheckRuns(owner, repoName, head) {
		if strings.HasPrefix(c.Name, policyCheck) {
			t.Errorf("unexpected %s = %s", c.Name, c.Conclusion)
		}
	}
}
