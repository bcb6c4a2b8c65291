package engine

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/store"
)

// TestOtherBaseWritesOnlyItsOwnCheck (issue 7, 1.1): a pull request into
// a branch other than the default one reports only "zgate/<gate>: <base>";
// it never writes the legacy name nor main's per-base name, leaves zgate's
// own statuses for main alone, and still overwrites a foreign claim on
// main's check.
func TestOtherBaseWritesOnlyItsOwnCheck(t *testing.T) {
	files := gatedFiles(t)
	// The policy on weak opens the gate on one approval.
	r := newRig(t, files)
	if _, err := r.sim.Push("acme", "payments", "weak", map[string]string{".github/zgate.yml": "version: 1\ngates:\n  - name: production\n    quorum: 1\n"}, nil, "mallory"); err != nil {
		t.Fatal(err)
	}
	k1, head := r.openPR("scale")
	n2, err := r.sim.OpenPR("acme", "payments", githubsim.PROptions{Head: "scale", Base: "weak", Author: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	k2 := store.PRKey{Installation: r.inst, Owner: "acme", Repo: "payments", Number: n2}
	r.reevaluate(k1)
	// zgate's own status for main (as after overwriting a claim), and a
	// foreign claim on main's per-base check.
	bot := "zgate-test[bot]"
	r.eng.cfg.BotLogin = bot
	for _, st := range [][3]string{{"zgate/production", "pending", bot}, {"zgate/production: main", "success", "mallory"}} {
		if err := r.sim.SetStatus("acme", "payments", head, st[1], st[0], "", st[2]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.sim.SubmitReview("acme", "payments", n2, "carol", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k2) // opens on weak and merges into weak
	want := []string{
		"zgate/production in_progress/",
		"zgate/production: main in_progress/",
		"zgate/production: weak completed/success",
	}
	if diff := cmp.Diff(want, r.checks(head)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	latest := map[string]string{}
	for _, st := range r.sim.Statuses("acme", "payments", head) {
		latest[st.Context] = st.State + " by " + st.Creator
	}
	if got, want := latest["zgate/production"], "pending by "+bot; got != want {
		t.Errorf("zgate's own status for main = %q, want %q (left to main's evaluation)", got, want)
	}
	if got := latest["zgate/production: main"]; got == "success by mallory" {
		t.Errorf("the foreign claim on main's check was left standing: %q", got)
	}
	pr, err := r.sim.PullRequest("acme", "payments", k1.Number)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Merged {
		t.Error("the pull request into main merged")
	}
}

// TestMergeWaitsForOtherGates (issue 7, 1.3): with two applicable merge
// gates, the one that holds does not merge while the other is pending,
// and its check says what it waits for.
func TestMergeWaitsForOtherGates(t *testing.T) {
	files := gatedFiles(t)
	files[".github/zgate.yml"] = `version: 1
gates:
  - name: docs
    controls:
      teams: {from: ["@acme/sre"]}
    quorum: 1
    then:
      merge: {method: squash}
  - name: production
    if:
      paths: ["deploy/prod/**"]
    controls:
      teams: {from: codeowners}
    quorum: 2
    then:
      merge: {method: squash}
`
	r := newRig(t, files)
	k, head := r.openPR("scale")
	if _, err := r.sim.SubmitReview("acme", "payments", k.Number, "carol", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	pr, err := r.sim.PullRequest("acme", "payments", k.Number)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Merged {
		t.Fatal("merged on docs while production is pending")
	}
	var docs githubsim.CheckRun
	for _, c := range r.sim.CheckRuns("acme", "payments", head) {
		if c.Name == "zgate/docs: main" {
			docs = c
		}
	}
	if docs.Conclusion != "success" || !containsAll(docs.Output.Title+docs.Output.Summary, "waits for", "production") {
		t.Errorf("docs check = %s %q, want success saying it waits for production:\n%s", docs.Conclusion, docs.Output.Title, docs.Output.Summary)
	}
	if _, err := r.sim.SubmitReview("acme", "payments", k.Number, "dave", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	r.reevaluate(k)
	if pr, _ = r.sim.PullRequest("acme", "payments", k.Number); !pr.Merged {
		t.Fatal("not merged once every applicable gate holds")
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
