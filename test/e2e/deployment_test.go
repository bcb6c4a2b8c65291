package e2e

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// deployPolicy gates deployments to production: one approval each from
// sre and security, given by `/zgate approve-deploy` on the pull request
// that introduced the deployed commit.
const deployPolicy = `version: 1
gates:
  - name: ship
    if: {environment: [production]}
    controls:
      teams: {from: ["@acme/sre", "@acme/security"]}
    quorum: 2
    window: WINDOW
`

// deployWorld is a world whose policy gates production deployments, with
// the environment protected by zgate and a pull request open whose head
// is what gets deployed.
func deployWorld(t *testing.T, window string) (w *world, n int, head string) {
	t.Helper()
	w = newWorldWith(t, strings.Replace(deployPolicy, "WINDOW", window, 1))
	must(t, w.sim.AddEnvironment(owner, repoName, "production"))
	n, head = w.openPR("deploy", nil)
	return w, n, head
}

// startDeployment runs a workflow job targeting production as deployer.
func (w *world) startDeployment(head, deployer string) githubsim.DeploymentState {
	w.t.Helper()
	d, err := w.sim.StartDeployment(owner, repoName, githubsim.DeploymentOptions{Environment: "production", Ref: "deploy", SHA: head, Creator: deployer})
	must(w.t, err)
	return d
}

// deployment returns the simulator's state of deployment id.
func (w *world) deployment(id int64) githubsim.DeploymentState {
	w.t.Helper()
	for _, d := range w.sim.Deployments(owner, repoName) {
		if d.ID == id {
			return d
		}
	}
	w.t.Fatalf("no deployment %d", id)
	return githubsim.DeploymentState{}
}

// waitDeployment waits until deployment id is no longer waiting.
func (w *world) waitDeployment(id int64, within time.Duration) githubsim.DeploymentState {
	w.t.Helper()
	deadline := time.Now().Add(within)
	for {
		d := w.deployment(id)
		if d.State != "waiting" {
			return d
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("deployment %d still waiting after %v", id, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (w *world) comment(n int, user, body string) {
	w.t.Helper()
	_, err := w.sim.Comment(owner, repoName, n, user, body)
	must(w.t, err)
}

// TestDeploymentApprovedOnceAfterCrash kills zgate (SIGKILL) after it
// recorded its decision to approve and while its answer is in flight:
// lost on the way, or taken by GitHub with the reply lost. After the
// restart the deployment is approved exactly once: the answer is sent
// again only after a fresh evaluation approves, and a second answer that
// GitHub refuses (nothing pending) settles the execution.
func TestDeploymentApprovedOnceAfterCrash(t *testing.T) {
	for _, tt := range []struct {
		name        string
		goesThrough bool
	}{
		{"answer lost", false},
		{"answer reached GitHub", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, n, head := deployWorld(t, "1h")
			p := w.serve()
			d := w.startDeployment(head, "pat")

			reached := make(chan struct{})
			release := make(chan struct{})
			var first sync.Once
			w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/deployment_protection_rule") {
					return false
				}
				isFirst := false
				first.Do(func() { isFirst = true })
				if !isFirst {
					return false
				}
				close(reached)
				<-release
				if tt.goesThrough {
					return false // GitHub approves; the reply goes to a dead process
				}
				http.Error(rw, "connection lost", http.StatusBadGateway)
				return true
			})
			w.comment(n, "carol", "/zgate approve-deploy production")
			w.comment(n, "dave", "LGTM\n/zgate approve-deploy production "+head[:12])
			select {
			case <-reached:
			case <-time.After(waitFor):
				t.Fatal("zgate never answered the deployment protection rule")
			}
			if got := w.deployment(d.ID); got.State != "waiting" {
				t.Fatalf("deployment %s before the answer went out", got.State)
			}
			w.waitAudit("execution:intent", 1) // recorded before the call
			p.kill9()
			close(release)

			p = w.serve()
			w.waitAudit("execution:done", 1)
			if m := p.metrics(t); !strings.Contains(m, `zgate_executions_total{kind="deployment_protection_rule",result="done"} 1`) {
				t.Errorf("/metrics lacks the answer's execution:\n%s", m)
			}
			got := w.deployment(d.ID)
			if got.State != "approved" || got.Answers != 1 {
				t.Errorf("deployment = %+v, want approved by exactly one answer", got)
			}
			wantRefused := 0
			if tt.goesThrough {
				wantRefused = 1 // the resent approval, refused: nothing pending
			}
			if got.Refused != wantRefused {
				t.Errorf("answers refused = %d, want %d", got.Refused, wantRefused)
			}
			if !strings.Contains(got.Comment, "zgate/ship") {
				t.Errorf("comment %q does not explain the gate", got.Comment)
			}
			// More events must not answer again.
			w.comment(n, "carol", "/zgate approve-deploy production")
			time.Sleep(500 * time.Millisecond)
			if again := w.deployment(d.ID); again.Answers != 1 || again.Refused != wantRefused {
				t.Errorf("after another event: %+v, want no more answers", again)
			}
		})
	}
}

// TestDeploymentRejectedWhenWindowCloses: one team approves, the other
// never does; when the window (measured from the deployment's request)
// closes, zgate rejects it, saying what was missing.
func TestDeploymentRejectedWhenWindowCloses(t *testing.T) {
	t.Parallel()
	w, n, head := deployWorld(t, "4s")
	w.serve()
	d := w.startDeployment(head, "pat")
	w.comment(n, "dave", "/zgate approve-deploy production")
	time.Sleep(time.Second)
	if got := w.deployment(d.ID); got.State != "waiting" {
		t.Fatalf("deployment %s with one team's approval, want waiting", got.State)
	}
	got := w.waitDeployment(d.ID, 15*time.Second)
	if got.State != "rejected" || got.Answers != 1 {
		t.Fatalf("deployment = %+v, want rejected once", got)
	}
	for _, want := range []string{"window closed", "zgate/ship", "@acme/sre"} {
		if !strings.Contains(got.Comment, want) {
			t.Errorf("rejection comment %q lacks %q", got.Comment, want)
		}
	}
}

// TestDeploymentApprovalsThatDoNotCount: the author, the deployer, a
// non-member, an edited comment and a review approving the pull request
// do not approve a deployment; a member's command does.
func TestDeploymentApprovalsThatDoNotCount(t *testing.T) {
	t.Parallel()
	w, n, head := deployWorld(t, "1h")
	must(t, w.sim.AddTeamMember(owner, "security", "alice", "active"))   // the author
	must(t, w.sim.AddTeamMember(owner, "security", "erin", "active"))    // a member
	must(t, w.sim.AddTeamMember(owner, "security", "mallory", "active")) // edits her command
	w.serve()
	d := w.startDeployment(head, "dave") // dave, in security, deploys
	w.comment(n, "carol", "/zgate approve-deploy production")
	w.comment(n, "alice", "/zgate approve-deploy production")
	w.comment(n, "dave", "/zgate approve-deploy production")
	w.comment(n, "oscar", "/zgate approve-deploy production")
	id, err := w.sim.Comment(owner, repoName, n, "mallory", "/zgate approve-deploy staging")
	must(t, err)
	must(t, w.sim.EditComment(owner, repoName, id, "mallory", "/zgate approve-deploy production"))
	w.approve(n, "erin") // a review approves the merge, not a deployment
	time.Sleep(1500 * time.Millisecond)
	if got := w.deployment(d.ID); got.State != "waiting" {
		t.Fatalf("deployment %s (%q), want waiting: no security approval counts", got.State, got.Comment)
	}
	w.comment(n, "erin", "/zgate approve-deploy production")
	got := w.waitDeployment(d.ID, waitFor)
	if got.State != "approved" || got.Answers != 1 {
		t.Fatalf("deployment = %+v, want approved once", got)
	}
	if strings.Contains(got.Comment, "alice") || strings.Contains(got.Comment, "mallory") {
		t.Errorf("approval comment %q credits someone who cannot approve", got.Comment)
	}
}
