package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/store"
)

// openRulesPR pushes files on branch and opens a pull request into main.
func (r *rig) openRulesPR(branch string, files map[string]string) (store.PRKey, string) {
	r.t.Helper()
	head, err := r.sim.Push("acme", "payments", branch, files, nil, "alice")
	if err != nil {
		r.t.Fatal(err)
	}
	n, err := r.sim.OpenPR("acme", "payments", githubsim.PROptions{Head: branch, Base: "main", Title: branch, Author: "alice"})
	if err != nil {
		r.t.Fatal(err)
	}
	return store.PRKey{Installation: r.inst, Owner: "acme", Repo: "payments", Number: n}, head
}

func count(l []string, s string) int {
	n := 0
	for _, x := range l {
		if x == s {
			n++
		}
	}
	return n
}

// TestPolicyCheckOnceAndAudited: the policy check goes through the
// fingerprint path: written and audited once, not again while nothing
// changes; a foreign status claiming its name is overwritten with its
// state.
func TestPolicyCheckOnceAndAudited(t *testing.T) {
	r := newRig(t, gatedFiles(t))
	r.eng.cfg.PolicyChanges = &facts.Gatherer{}
	policy := readTestdata(t, "zgate.yml")
	k, head := r.openRulesPR("lax", map[string]string{".github/zgate.yml": strings.Replace(policy, "quorum: 2", "quorum: 1", 1)})
	if err := r.sim.SetStatus("acme", "payments", head, "failure", "zgate/policy", "no", "mallory"); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	r.reevaluate(k)
	checks := r.checks(head)
	for _, want := range []string{"zgate/policy: main completed/neutral", "zgate/policy completed/neutral"} {
		if count(checks, want) != 1 {
			t.Errorf("checks = %v, want %q once", checks, want)
		}
	}
	if n := count(r.auditKinds(), KindPolicyCheck); n != 1 {
		t.Errorf("%d %s audit records, want 1: %v", n, KindPolicyCheck, r.auditKinds())
	}
	if got := latestStatus(r, head, "zgate/policy"); got != "success" {
		t.Errorf("foreign zgate/policy status = %q, want overwritten with success", got)
	}
}

// TestPolicyCheckGateNamedPolicy: a gate named "policy" owns the name; the
// policy check is not written over it.
func TestPolicyCheckGateNamedPolicy(t *testing.T) {
	files := gatedFiles(t)
	files[".github/zgate.yml"] = strings.Replace(files[".github/zgate.yml"], "name: production", "name: policy", 1)
	r := newRig(t, files)
	r.eng.cfg.PolicyChanges = &facts.Gatherer{}
	k, head := r.openRulesPR("edit", map[string]string{".github/zgate.yml": "version: 1\ngates: broken\n", "deploy/prod/payments.yml": "replicas: 9\n"})
	r.reevaluate(k)
	for _, c := range r.sim.CheckRuns("acme", "payments", head) {
		if strings.HasPrefix(c.Name, "zgate/policy") && strings.HasPrefix(c.Output.Title, "Policy") {
			t.Errorf("policy check %s written over the gate named policy: %q", c.Name, c.Output.Title)
		}
	}
	if !slices.ContainsFunc(r.checks(head), func(s string) bool {
		return strings.HasPrefix(s, "zgate/policy: main in_progress") || strings.HasPrefix(s, "zgate/policy: main completed/failure")
	}) {
		t.Errorf("the gate's own check is missing: %v", r.checks(head))
	}
}

// TestPolicyCheckFixesBrokenBase: main's policy does not load; a pull
// request fixing it fails the policy error check (main decides) and gets a
// policy check saying the fix loads, every gate listed as added.
func TestPolicyCheckFixesBrokenBase(t *testing.T) {
	files := gatedFiles(t)
	good := files[".github/zgate.yml"]
	files[".github/zgate.yml"] = "version: 1\ngates:\n  - name: production\n    quorum: two\n"
	r := newRig(t, files)
	r.eng.cfg.PolicyChanges = &facts.Gatherer{}
	k, head := r.openRulesPR("fix", map[string]string{".github/zgate.yml": good})
	r.reevaluate(k)
	r.reevaluate(k)
	checks := r.checks(head)
	for _, want := range []string{"zgate/policy: main completed/success", "zgate/policy completed/success", "zgate: main completed/failure"} {
		if count(checks, want) != 1 {
			t.Errorf("checks = %v, want %q once", checks, want)
		}
	}
	for _, c := range r.sim.CheckRuns("acme", "payments", head) {
		if c.Name == "zgate/policy" && !strings.Contains(c.Output.Summary, "| `production` | gate added |") {
			t.Errorf("summary:\n%s", c.Output.Summary)
		}
	}
}
