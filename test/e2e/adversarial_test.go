package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestPRCannotWeakenItsGate: a pull request that rewrites the policy and
// CODEOWNERS in its own branch is still gated by the base branch's.
func TestPRCannotWeakenItsGate(t *testing.T) {
	w := newWorld(t)
	w.serve()
	weak := strings.Replace(policyFile, "quorum: 2", "quorum: 1", 1)
	n, head := w.openPR("weaken", map[string]string{
		".github/zgate.yml":        weak,
		".github/CODEOWNERS":       "*  @acme/sre\n",
		"deploy/prod/payments.yml": "replicas: 50\n",
	})
	w.pendingWith(head, 0)
	w.approve(n, "carol")
	w.pendingWith(head, 1)
	time.Sleep(300 * time.Millisecond)
	w.assertNotMerged(n)
}

// TestPushAfterApproval: approvals of an old head do not count.
func TestPushAfterApproval(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	w.approve(n, "carol")
	w.pendingWith(head, 1)
	head2, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 99\n"}, nil, "alice")
	must(t, err)
	w.pendingWith(head2, 0)
	w.approve(n, "dave") // one fresh approval: still short of the quorum
	w.pendingWith(head2, 1)
	w.assertNotMerged(n)
}

// TestForgedWebhooks: unsigned, wrongly signed and SHA-1 signed deliveries
// get 401, enqueue nothing and are audited.
func TestForgedWebhooks(t *testing.T) {
	w := newWorld(t)
	p := w.serve()
	body := []byte(`{"action":"submitted","pull_request":{"number":1},"repository":{"name":"payments","owner":{"login":"acme"}},"installation":{"id":1}}`)
	for _, tt := range []struct{ name, header, value string }{
		{"unsigned", "", ""},
		{"wrong secret", "X-Hub-Signature-256", githubsim.Sign("guess", body)},
		{"sha1 only", "X-Hub-Signature", "sha1=0000000000000000000000000000000000000000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, p.url+"/webhook", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-GitHub-Event", "pull_request_review")
			req.Header.Set("X-GitHub-Delivery", "forged-"+tt.name)
			if tt.header != "" {
				req.Header.Set(tt.header, tt.value)
			}
			resp, err := httpClient.Do(req)
			must(t, err)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", resp.StatusCode)
			}
		})
	}
	if got := auditKinds(w.auditRecords())[audit.KindWebhookRejected]; got != 3 {
		t.Errorf("rejected webhooks in the audit log = %d, want 3", got)
	}
}

// TestReplayedDelivery: GitHub's redelivery (or an attacker's replay) of
// the deciding review is answered as a duplicate and Z runs once.
func TestReplayedDelivery(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitMerged(n)
	// The simulator records a delivery once zgate answered it, which may
	// be after the merge: wait for both reviews' deliveries.
	var last string
	deadline := time.Now().Add(waitFor)
	for reviews := 0; reviews < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("pull_request_review deliveries recorded = %d, want 2", reviews)
		}
		time.Sleep(20 * time.Millisecond)
		reviews = 0
		for _, d := range w.sim.Deliveries() {
			if d.Event == "pull_request_review" {
				last = d.ID
				reviews++
			}
		}
	}
	d, err := w.sim.Redeliver(last)
	must(t, err)
	if d.StatusCode != http.StatusOK {
		t.Errorf("replayed delivery answered %d, want 200 (duplicate)", d.StatusCode)
	}
	time.Sleep(300 * time.Millisecond)
	if got := w.mergeCount(); got != 1 {
		t.Errorf("merges = %d, want 1", got)
	}
}

// TestMergeConflict409: the head moves between the decision and the merge;
// the SHA guard makes GitHub answer 409, zgate records the failure and the
// gate goes back to pending on the new head.
func TestMergeConflict409(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	movedC := make(chan string, 1)
	var once sync.Once
	w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/merge") {
			once.Do(func() {
				sha, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 7\n"}, nil, "mallory")
				if err != nil {
					t.Error(err)
				}
				movedC <- sha
			})
		}
		return false
	})
	w.approve(n, "carol")
	w.approve(n, "dave")
	var moved string
	select {
	case moved = <-movedC:
	case <-time.After(waitFor):
		t.Fatal("the App never tried to merge")
	}
	w.pendingWith(moved, 0)
	w.assertNotMerged(n)
	kinds := auditKinds(w.auditRecords())
	if kinds["execution:failed"] != 1 || kinds["execution:done"] != 0 {
		t.Errorf("audit kinds = %v, want one failed execution and none done", kinds)
	}
}

// TestGitHubFlaky: with GitHub failing half the calls, the gate never
// merges without its quorum, and converges once the errors stop.
func TestGitHubFlaky(t *testing.T) {
	w := newWorld(t)
	w.serve()
	w.sim.SetFaults(githubsim.Faults{ErrorRate: 0.5, Seed: 7})
	n, _ := w.openPR("scale", nil)
	w.approve(n, "carol")
	time.Sleep(2 * time.Second)
	w.assertNotMerged(n)
	w.sim.SetFaults(githubsim.Faults{})
	w.approve(n, "dave")
	w.waitMerged(n)
	if got := w.mergeCount(); got != 1 {
		t.Errorf("merges = %d, want 1", got)
	}
}

// TestForeignStatusOverwritten: a commit status named like the gate's check,
// set by someone else to pass branch protection, is overwritten with the
// gate's real state.
func TestForeignStatusOverwritten(t *testing.T) {
	w := newWorld(t)
	w.serve()
	n, head := w.openPR("sneaky", nil)
	w.pendingWith(head, 0)
	must(t, w.sim.SetStatus(owner, repoName, head, "success", gateCheck, "trust me", "mallory"))
	deadline := time.Now().Add(waitFor)
	for {
		sts := w.sim.Statuses(owner, repoName, head)
		if last := sts[len(sts)-1]; last.Context == gateCheck && last.State == "pending" && last.Creator != "mallory" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the foreign status was not overwritten: %+v", sts)
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.waitAudit("foreign_status", 1)
	w.assertNotMerged(n)
}
