package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"os/user"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// zgateCmd runs the zgate binary and returns its exit code and output.
func zgateCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	}
	must(t, err)
	return 0, out.String(), errb.String()
}

// TestResolveUnknownDispatch crashes zgate inside a workflow dispatch that
// never reached GitHub, so the execution is unknown; a person then
// resolves it with `zgate execution confirm|fail` while zgate serve runs.
// confirm: the check run says so, the unknown gauge drops, nothing is
// dispatched. fail: zgate dispatches (once). Either way the answer is in
// the audit log with who gave it, and the chain verifies.
func TestResolveUnknownDispatch(t *testing.T) {
	policy := strings.Replace(policyFile, "      merge: {method: squash}", "      dispatch: {workflow: deploy.yml, ref: main}", 1)
	osUser, err := user.Current()
	must(t, err)
	for _, tt := range []struct {
		sub, actor, wantBy string
		wantDispatches     int
	}{
		{"confirm", "oncall-carol", "oncall-carol", 0},
		{"fail", "", osUser.Username, 1},
	} {
		t.Run(tt.sub, func(t *testing.T) {
			t.Parallel()
			w := newWorldWith(t, policy)
			p := w.serve()
			n, head := w.openPR("deploy", nil)
			w.pendingWith(head, 0)
			w.crashDuringZ(p, n, http.MethodPost, "/dispatches", false, nil)
			p = w.serve()
			w.waitAudit("execution:unknown", 1)

			code, out, errOut := zgateCmd(t, "execution", "list", "--unknown", "--json", "--database", w.db)
			if code != 0 {
				t.Fatalf("zgate execution list = %d: %s", code, errOut)
			}
			var list []struct{ ID, Status, Kind, Repo, Gate string }
			must(t, json.Unmarshal([]byte(out), &list))
			if len(list) != 1 || list[0].Status != "unknown" || list[0].Kind != "dispatch" || list[0].Repo != owner+"/"+repoName {
				t.Fatalf("zgate execution list --unknown --json = %s, want the one unknown dispatch", out)
			}
			id := list[0].ID
			if code, out, _ := zgateCmd(t, "execution", "list", "--database", w.db); code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "unknown") {
				t.Errorf("zgate execution list = %d\n%s\nwant a table row of %s, unknown", code, out, id)
			}

			args := []string{"execution", tt.sub, id, "--reason", "checked the Actions tab", "--database", w.db}
			if tt.actor != "" {
				args = append(args, "--actor", tt.actor)
			}
			if code, out, errOut := zgateCmd(t, args...); code != 0 {
				t.Fatalf("zgate execution %s = %d\n%s%s", tt.sub, code, out, errOut)
			}
			if code, _, errOut := zgateCmd(t, args...); code != 1 || !strings.Contains(errOut, "not unknown") {
				t.Errorf("a second zgate execution %s = %d (%q), want 1: the answer stands", tt.sub, code, errOut)
			}

			if tt.sub == "confirm" {
				w.waitCheck(head, "the confirmation shown", func(c githubsim.CheckRun) bool {
					return strings.Contains(c.Output.Summary, "Confirmed by a person") && strings.Contains(c.Output.Summary, tt.wantBy)
				})
			} else {
				w.waitAudit("execution:done", 1)
			}
			if got := len(w.sim.Dispatches(owner, repoName)); got != tt.wantDispatches {
				t.Errorf("dispatches = %d, want %d", got, tt.wantDispatches)
			}
			if m := p.metrics(t); !strings.Contains(m, "zgate_executions_unknown 0") {
				t.Errorf("/metrics lacks zgate_executions_unknown 0 after the answer")
			}

			_, out, _ = zgateCmd(t, "audit", "export", "--database", w.db)
			var by string
			for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
				var r struct {
					Kind string
					Data struct {
						Status     string
						ResolvedBy string `json:"resolved_by"`
					}
				}
				must(t, json.Unmarshal([]byte(line), &r))
				if r.Kind == "execution" && r.Data.ResolvedBy != "" {
					by = r.Data.ResolvedBy
				}
			}
			if by != tt.wantBy {
				t.Errorf("the audit record of the answer names %q, want %q", by, tt.wantBy)
			}
			if code, out, errOut := zgateCmd(t, "audit", "verify", "--database", w.db); code != 0 || !strings.Contains(out, "audit log OK") {
				t.Errorf("zgate audit verify = %d\n%s%s", code, out, errOut)
			}
		})
	}
}
