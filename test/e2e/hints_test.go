package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// relay stands between the simulator's webhooks and zgate serve, and can
// hold a delivery back (late, out of order) or drop it (lost): what the
// evaluations of zgate serve start from (facts.Hints) is then stale.
type relay struct {
	t    *testing.T
	to   string
	mu   sync.Mutex
	rule func(event, action string) string // "hold", "drop" or "" (pass)
	held []*http.Request
	body [][]byte
}

func newRelay(t *testing.T, w *world, p *proc) *relay {
	t.Helper()
	r := &relay{t: t, to: p.url + "/webhook"}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	w.sim.SetWebhookURL(srv.URL + "/webhook")
	return r
}

func (r *relay) set(rule func(event, action string) string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rule = rule
}

func (r *relay) serve(rw http.ResponseWriter, req *http.Request) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	var ev struct{ Action string }
	_ = json.Unmarshal(b, &ev)
	r.mu.Lock()
	what := ""
	if r.rule != nil {
		what = r.rule(req.Header.Get("X-GitHub-Event"), ev.Action)
	}
	if what == "hold" {
		r.held, r.body = append(r.held, req), append(r.body, b)
	}
	r.mu.Unlock()
	if what != "" {
		rw.WriteHeader(http.StatusAccepted) // GitHub sees it delivered
		return
	}
	r.forward(req, b)
	rw.WriteHeader(http.StatusAccepted)
}

func (r *relay) forward(req *http.Request, body []byte) {
	out, err := http.NewRequest(http.MethodPost, r.to, bytes.NewReader(body))
	must(r.t, err)
	out.Header = req.Header.Clone()
	resp, err := httpClient.Do(out)
	must(r.t, err)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		r.t.Errorf("zgate answered a relayed delivery with %d", resp.StatusCode)
	}
}

// release sends the held deliveries, in the order they came.
func (r *relay) release() {
	r.mu.Lock()
	held, body := r.held, r.body
	r.held, r.body = nil, nil
	r.mu.Unlock()
	for i := range held {
		r.forward(held[i], body[i])
	}
}

// neverGreen fails when the audit log has a gate decided success or a Z.
func (w *world) neverGreen(n int) {
	w.t.Helper()
	w.assertNotMerged(n)
	for _, rec := range w.auditRecords() {
		var d struct{ State string }
		_ = json.Unmarshal(rec.Data, &d)
		if (rec.Kind == audit.KindDecision && d.State == "success") || rec.Kind == audit.KindExecution {
			w.t.Errorf("audit record %s %s: no gate may open from stale deliveries", rec.Kind, rec.Data)
		}
	}
}

// relayedWithCarol serves zgate behind a relay, opens a pull request from
// branch and has carol's approval counted: one of the two the gate needs.
func relayedWithCarol(t *testing.T, branch string) (w *world, p *proc, r *relay, n int, head string) {
	t.Helper()
	w = newWorld(t)
	p = w.serve()
	r = newRelay(t, w, p)
	n, head = w.openPR(branch, nil)
	w.pendingWith(head, 0)
	w.approve(n, "carol")
	w.pendingWith(head, 1)
	return w, p, r, n, head
}

// TestLateApprovalAfterLostDismissal: dave's approval reaches zgate only
// after dave's review was dismissed, and the dismissal's delivery is
// lost. The approval's delivery (with carol's approval listed before)
// says the gate holds; GitHub says it does not. The check stays pending
// with carol's approval alone, and nothing is merged.
func TestLateApprovalAfterLostDismissal(t *testing.T) {
	w, p, r, n, head := relayedWithCarol(t, "late")

	r.set(func(event, action string) string {
		switch {
		case event == "pull_request_review" && action == "submitted":
			return "hold"
		case event == "pull_request_review" && action == "dismissed":
			return "drop"
		}
		return ""
	})
	id, err := w.sim.SubmitReview(owner, repoName, n, "dave", "APPROVE", "ok")
	must(t, err)
	must(t, w.sim.DismissReview(owner, repoName, n, id, "not yet"))
	w.sim.WaitDeliveries()
	r.set(nil)
	before := evaluationsOf(t, p)
	r.release()
	waitEvaluationsOf(t, p, before+1)
	time.Sleep(500 * time.Millisecond) // a second evaluation would show
	w.pendingWith(head, 1)
	w.neverGreen(n)
}

// TestTightenedPolicyWithLostPush: the push that raises the quorum on the
// base branch is never delivered; dave's approval, delivered, makes two
// of the old two. The policy is never taken from a delivery: the check
// fails under the new quorum, and nothing is merged.
func TestTightenedPolicyWithLostPush(t *testing.T) {
	w, p, r, n, head := relayedWithCarol(t, "tightened")

	r.set(func(event, _ string) string {
		if event == "push" {
			return "drop"
		}
		return ""
	})
	strict := strings.Replace(policyFile, "quorum: 2", "quorum: 3", 1)
	_, err := w.sim.Push(owner, repoName, "main", map[string]string{".github/zgate.yml": strict}, nil, "admin")
	must(t, err)
	w.sim.WaitDeliveries()
	r.set(nil)
	before := evaluationsOf(t, p)
	w.approve(n, "dave")
	waitEvaluationsOf(t, p, before+1)
	time.Sleep(500 * time.Millisecond)
	// Two teams cannot make a quorum of three: blocked.
	w.waitCheck(head, "failing under the quorum of 3", func(c githubsim.CheckRun) bool {
		return c.Conclusion == "failure" && strings.Contains(c.Output.Title, "quorum is 3")
	})
	w.neverGreen(n)
}
