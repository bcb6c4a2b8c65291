package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/githubsim"
)

func TestTwoPersonRuleMerges(t *testing.T) {
	w := newWorld(t)
	p := w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)

	w.approve(n, "carol") // in both teams: counts once
	w.pendingWith(head, 1)
	w.assertNotMerged(n)

	head2, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 6\n"}, nil, "alice")
	must(t, err)
	w.pendingWith(head2, 0) // carol's approval is stale

	w.approve(n, "carol")
	w.pendingWith(head2, 1)
	w.approve(n, "dave")
	w.waitCheck(head2, "success", func(c githubsim.CheckRun) bool { return c.Conclusion == "success" })
	pr := w.waitMerged(n)
	if pr.HeadSHA != head2 {
		t.Errorf("merged head = %s, want %s", pr.HeadSHA, head2)
	}
	if got := w.mergeCount(); got != 1 {
		t.Errorf("merges = %d, want 1", got)
	}
	w.waitAudit("execution:done", 1)
	kinds := auditKinds(w.auditRecords())
	if kinds["execution:done"] != 1 || kinds["decision"] < 4 {
		t.Errorf("audit kinds = %v, want one execution done and every decision", kinds)
	}
	m := p.metrics(t)
	defer func() {
		p.stop()
		if p.exit != nil {
			t.Errorf("zgate serve after SIGTERM: %v, want a clean exit", p.exit)
		}
	}()
	for _, want := range []string{
		`zgate_webhooks_total{event="pull_request_review",result="accepted"} 3`,
		`zgate_executions_total{kind="merge",result="done"} 1`,
		`zgate_evaluations_total{state="success"} 1`,
		"zgate_github_calls_total{",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestCrashBetweenDecisionAndMerge kills the server (kill -9) while its
// merge call is in flight, after the intent is recorded, restarts it on
// the same store and checks that Z ran exactly once, whether the merge
// reached GitHub before the crash or not.
func TestCrashBetweenDecisionAndMerge(t *testing.T) {
	for _, tt := range []struct {
		name             string
		mergeGoesThrough bool
	}{
		{"merge reached GitHub", true},
		{"merge lost", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits out a job lease; they share nothing
			w := newWorld(t)
			p := w.serve()
			n, head := w.openPR("scale", nil)
			w.pendingWith(head, 0)

			w.crashDuringZ(p, n, http.MethodPut, "/merge", tt.mergeGoesThrough, nil)

			w.serve()
			w.waitMerged(n)
			w.waitAudit("execution:done", 1)
			if got := w.mergeCount(); got != 1 {
				t.Errorf("merges = %d, want exactly 1", got)
			}
			if got := auditKinds(w.auditRecords())["execution:done"]; got != 1 {
				t.Errorf("executions done in the audit log = %d, want 1", got)
			}
			if got := w.exportedZ(n, "merge"); got["done"] != 1 || got["intent"] != 1 {
				t.Errorf("zgate audit export shows merge records %v, want its intent and one done", got)
			}
		})
	}
}
