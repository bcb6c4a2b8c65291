package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestCrashDuringDispatch kills the server while its workflow dispatch is
// in flight. GitHub returns no id for a dispatch, so after the restart
// zgate must never send it again on a guess: the execution is settled
// from the workflow runs (done when a run carries the zgate_id) or marked
// unknown for a person to confirm (the run is not there).
func TestCrashDuringDispatch(t *testing.T) {
	policy := strings.Replace(policyFile, "      merge: {method: squash}", "      dispatch: {workflow: deploy.yml, ref: main}", 1)
	for _, tt := range []struct {
		name        string
		goesThrough bool
	}{
		{"dispatch reached GitHub", true},
		{"dispatch lost", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits out a job lease; they share nothing
			w := newWorldWith(t, policy)
			p := w.serve()
			n, head := w.openPR("deploy", nil)
			w.pendingWith(head, 0)

			w.crashDuringZ(p, n, http.MethodPost, "/dispatches", tt.goesThrough, func(path string) {
				t.Errorf("a second dispatch was sent: %s", path)
			})

			p = w.serve()
			if tt.goesThrough {
				// The workflow run carries the zgate_id: reconciled as done.
				w.waitAudit("execution:done", 1)
			} else {
				w.waitAudit("execution:unknown", 1)
			}
			rerequest(t, w, head) // more evaluations must not dispatch again
			time.Sleep(500 * time.Millisecond)
			want := 0
			if tt.goesThrough {
				want = 1
			}
			if got := len(w.sim.Dispatches(owner, repoName)); got != want {
				t.Errorf("dispatches = %d, want %d", got, want)
			}
			status := "unknown"
			if tt.goesThrough {
				status = "done"
			}
			if got := w.exportedZ(n, "dispatch"); got[status] != 1 || got["intent"] != 1 {
				t.Errorf("zgate audit export shows dispatch records %v, want its intent and one %s", got, status)
			}
			if !tt.goesThrough {
				w.waitCheck(head, "the unknown execution shown", func(c githubsim.CheckRun) bool {
					return strings.Contains(strings.ToLower(c.Output.Summary), "unknown")
				})
				if m := p.metrics(t); !strings.Contains(m, "zgate_executions_unknown 1") {
					t.Errorf("/metrics lacks zgate_executions_unknown 1:\n%s", m)
				}
			}
		})
	}
}
