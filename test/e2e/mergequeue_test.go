package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/store"
)

const mergeAPI = "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge"

// queueWorld is a world whose main requires a merge queue and, besides
// the gate's check, a "ci" check that the test plays.
func queueWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	must(t, w.sim.SetRequiredChecks(owner, repoName, "main", []string{gateCheck, "ci"}))
	must(t, w.sim.RequireMergeQueue(owner, repoName, "main", true))
	return w
}

// waitQueue waits until main's merge queue holds exactly prs, in order.
func (w *world) waitQueue(prs ...int) []githubsim.QueueEntry {
	w.t.Helper()
	deadline := time.Now().Add(waitFor)
	var q []githubsim.QueueEntry
	for time.Now().Before(deadline) {
		q = w.sim.MergeQueue(owner, repoName, "main")
		got := make([]int, len(q))
		for i, e := range q {
			got[i] = e.PR
		}
		if fmt.Sprint(got) == fmt.Sprint(prs) {
			return q
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.t.Fatalf("merge queue %+v, want PRs %v within %v", q, prs, waitFor)
	return nil
}

// waitGroupCheck waits until every name of the gate's check on a group
// head (the per-base name and the legacy one main requires) concludes
// conclusion, and returns the per-base run.
func (w *world) waitGroupCheck(sha, conclusion string) githubsim.CheckRun {
	w.t.Helper()
	deadline := time.Now().Add(waitFor)
	var last map[string]githubsim.CheckRun
	for time.Now().Before(deadline) {
		last = map[string]githubsim.CheckRun{}
		for _, c := range w.sim.CheckRuns(owner, repoName, sha) {
			last[c.Name] = c // the newest run of a name counts
		}
		if last[textCheck].Conclusion == conclusion && last[gateCheck].Conclusion == conclusion {
			return last[textCheck]
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.t.Fatalf("checks on merge group %s: %+v; want %s under %q and %q", sha[:7], last, conclusion, textCheck, gateCheck)
	return githubsim.CheckRun{}
}

// TestMergeQueueGroupFailsWhenApprovalLost: three pull requests into a
// branch that requires a merge queue; zgate adds each to the queue (never
// a REST merge) and passes their groups; one loses an approval while
// queued: the groups holding it fail naming it, GitHub drops it and
// rebuilds the group behind, which zgate passes, and the other two merge.
func TestMergeQueueGroupFailsWhenApprovalLost(t *testing.T) {
	w := queueWorld(t)
	w.serve()
	var prs []int
	var heads []string
	for i, name := range []string{"a", "b", "c"} {
		n, head := w.openPR("change-"+name, map[string]string{"deploy/prod/" + name + ".yml": "replicas: 1\n"})
		must(t, w.sim.SetStatus(owner, repoName, head, "success", "ci", "", "ci-bot"))
		w.approve(n, "carol")
		w.approve(n, "dave")
		prs, heads = append(prs, n), append(heads, head)
		w.waitQueue(prs[:i+1]...)
	}
	q := w.waitQueue(prs...)
	for i, e := range q {
		if e.HeadSHA != heads[i] {
			t.Errorf("PR #%d queued at %s, want %s", e.PR, e.HeadSHA, heads[i])
		}
		c := w.waitGroupCheck(e.GroupSHA, "success")
		for _, n := range prs[:i+1] {
			if !strings.Contains(c.Output.Title, fmt.Sprintf("#%d", n)) {
				t.Errorf("group %d check title %q does not name #%d", i, c.Output.Title, n)
			}
		}
	}

	// The second loses carol's approval while queued.
	_, err := w.sim.SubmitReview(owner, repoName, prs[1], "carol", "REQUEST_CHANGES", "wait")
	must(t, err)
	// Its group fails naming it; GitHub drops it and rebuilds the last
	// group (which held it too) on the first. zgate judges groups front
	// first, so the old last group is gone before its turn, or fails.
	q2 := w.waitQueue(prs[0], prs[2])
	var failed githubsim.CheckRun
	for _, c := range w.sim.CheckRuns(owner, repoName, q[1].GroupSHA) {
		if c.Name == textCheck {
			failed = c
		}
	}
	if failed.Conclusion != "failure" || !strings.Contains(failed.Output.Title, fmt.Sprintf("#%d", prs[1])) {
		t.Errorf("group ending with #%d: %s %q, want a failure naming #%d", prs[1], failed.Conclusion, failed.Output.Title, prs[1])
	}
	if q2[0] != q[0] || q2[1].GroupSHA == q[2].GroupSHA {
		t.Fatalf("queue after the failure %+v; want the first group kept and the last rebuilt", q2)
	}
	c := w.waitGroupCheck(q2[1].GroupSHA, "success")
	if strings.Contains(c.Output.Title, fmt.Sprintf("#%d", prs[1])) {
		t.Errorf("rebuilt group's check %q names the dropped #%d", c.Output.Title, prs[1])
	}

	// CI passes on the last group: GitHub merges it with the one ahead.
	must(t, w.sim.SetStatus(owner, repoName, q2[1].GroupSHA, "success", "ci", "", "ci-bot"))
	for _, n := range []int{prs[0], prs[2]} {
		pr, err := w.sim.PullRequest(owner, repoName, n)
		must(t, err)
		if !pr.Merged {
			t.Errorf("PR #%d not merged", n)
		}
	}
	w.assertNotMerged(prs[1])
	if n := w.sim.Calls()[mergeAPI]; n != 0 {
		t.Errorf("the REST merge was called %d times on a branch that requires a merge queue", n)
	}
	if got := w.sim.Ref(owner, repoName, "refs/heads/main"); got != q2[1].GroupSHA {
		t.Errorf("main at %s, want the merged group %s", got, q2[1].GroupSHA)
	}
	// The merged groups were destroyed: zgate forgot their check runs.
	w.waitForgotten(q2[1].GroupSHA, textCheck)
	w.waitForgotten(q2[0].GroupSHA, textCheck)
}

// waitForgotten waits until the store holds no fingerprint of check on sha.
func (w *world) waitForgotten(sha, check string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	st, err := store.Open(ctx, w.db)
	must(w.t, err)
	defer st.Close()
	for ctx.Err() == nil {
		_, _, err := st.CheckFingerprint(ctx, owner, repoName, sha, check)
		if errors.Is(err, store.ErrNotFound) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.t.Fatalf("the store still holds the check %q of destroyed merge group %s", check, sha[:7])
}

// TestCrashDuringEnqueue kills the server (kill -9) while its
// enqueuePullRequest call is in flight, after the intent is recorded,
// restarts it on the same store, and checks the pull request was queued
// exactly once, whether the call reached GitHub before the crash or not,
// and never merged by REST.
func TestCrashDuringEnqueue(t *testing.T) {
	for _, tt := range []struct {
		name        string
		goesThrough bool
	}{
		{"enqueue reached GitHub", true},
		{"enqueue lost", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits out a job lease; they share nothing
			w := queueWorld(t)
			p := w.serve()
			n, head := w.openPR("scale", nil)
			must(t, w.sim.SetStatus(owner, repoName, head, "success", "ci", "", "ci-bot"))
			w.pendingWith(head, 0)

			var mu sync.Mutex
			sent := 0 // enqueue mutations that reached the simulator
			reached := make(chan struct{})
			release := make(chan struct{})
			var first sync.Once
			w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/graphql") {
					return false
				}
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				if !strings.Contains(string(body), "enqueuePullRequest(") {
					return false
				}
				isFirst := false
				first.Do(func() { isFirst = true })
				if isFirst {
					close(reached)
					<-release
					if !tt.goesThrough {
						http.Error(rw, "connection lost", http.StatusBadGateway)
						return true
					}
				}
				mu.Lock()
				sent++
				mu.Unlock()
				return false
			})
			w.approve(n, "carol")
			w.approve(n, "dave")
			select {
			case <-reached:
			case <-time.After(waitFor):
				t.Fatal("the App never sent enqueuePullRequest")
			}
			p.kill9()
			close(release)

			w.serve()
			w.waitQueue(n)
			w.waitAudit("execution:done", 1)
			mu.Lock()
			got := sent
			mu.Unlock()
			if got != 1 {
				t.Errorf("enqueuePullRequest reached GitHub %d times, want exactly 1", got)
			}
			if q := w.sim.MergeQueue(owner, repoName, "main"); len(q) != 1 || q[0].HeadSHA != head {
				t.Errorf("merge queue %+v, want #%d once at %s", q, n, head)
			}
			if c := w.sim.Calls()[mergeAPI]; c != 0 {
				t.Errorf("REST merge called %d times", c)
			}
			if got := auditKinds(w.auditRecords())["execution:done"]; got != 1 {
				t.Errorf("executions done in the audit log = %d, want 1", got)
			}
		})
	}
}
