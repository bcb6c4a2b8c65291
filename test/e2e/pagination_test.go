package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// reviewRead is one GET of a pull request's reviews as the simulator
// answered it.
type reviewRead struct {
	page        string // the page parameter ("" for the first)
	conditional bool   // sent If-None-Match
	status      int
	link        string
}

// TestVetoOnPageTwo: a pull request with exactly one full page of reviews
// (zgate reads 100 per page) is evaluated, so that page sits in the ETag
// cache; then a member of a counted team requests changes (review 101, on
// page 2). Page 1 is unchanged and GitHub answers 304 for it: the cached
// page, full, must not end the list, or the veto is never seen and the
// pull request merges on the two approvals of page 1.
func TestVetoOnPageTwo(t *testing.T) {
	w := newWorld(t)
	must(t, w.sim.AddTeamMember(owner, "security", "erin", "active"))
	// Before zgate serves: the draft and its first 100 reviews reach no
	// webhook, so zgate reads them in one evaluation below.
	head, err := w.sim.Push(owner, repoName, "big-review", map[string]string{"deploy/prod/payments.yml": "replicas: 5\n"}, nil, "alice")
	must(t, err)
	n, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "big-review", Base: "main", Title: "Scale", Author: "alice", Draft: true})
	must(t, err)
	for i := range 98 {
		_, err := w.sim.SubmitReview(owner, repoName, n, fmt.Sprintf("outsider%02d", i), "APPROVE", "lgtm")
		must(t, err)
	}
	w.approve(n, "carol") // review 99
	w.approve(n, "dave")  // review 100: page 1 is exactly full

	var mu sync.Mutex
	var reads []reviewRead
	reviewsPath := fmt.Sprintf("/repos/%s/%s/pulls/%d/reviews", owner, repoName, n)
	w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, reviewsPath) {
			return false
		}
		rec := &statusRecorder{ResponseWriter: rw}
		w.sim.Handler().ServeHTTP(rec, r)
		mu.Lock()
		reads = append(reads, reviewRead{
			page: r.URL.Query().Get("page"), conditional: r.Header.Get("If-None-Match") != "",
			status: rec.status, link: rw.Header().Get("Link"),
		})
		mu.Unlock()
		return true
	})
	readsSoFar := func() []reviewRead {
		mu.Lock()
		defer mu.Unlock()
		return append([]reviewRead(nil), reads...)
	}

	relay := newRelay(t, w, w.serve())
	// converted_to_draft on a draft: an evaluation that reads (and caches)
	// the full page and stays pending because of the draft.
	must(t, w.sim.SetDraft(owner, repoName, n, true))
	w.waitCheck(head, "pending on the draft", func(c githubsim.CheckRun) bool { return c.Status == "in_progress" })
	first := readsSoFar()
	if len(first) == 0 || first[0].status != http.StatusOK || strings.Contains(first[0].link, `rel="next"`) {
		t.Fatalf("first reads of the reviews = %+v, want a 200 without a next link (one full page)", first)
	}

	// The veto, on page 2. Its delivery is lost, so what zgate was
	// told (facts.Hints: the list read above and the deliveries since)
	// says the gate holds: only the fresh read that a green check needs
	// finds the veto, on page 2.
	relay.set(func(event, _ string) string {
		if event == "pull_request_review" {
			return "drop"
		}
		return ""
	})
	_, err = w.sim.SubmitReview(owner, repoName, n, "erin", "REQUEST_CHANGES", "not at 5 replicas")
	must(t, err)
	w.sim.WaitDeliveries()
	relay.set(nil)
	// Ready for review: carol and dave (page 1) make the quorum; only the
	// veto on page 2 stands in the way.
	must(t, w.sim.SetDraft(owner, repoName, n, false))
	c := w.waitCheck(head, "completed", func(c githubsim.CheckRun) bool { return c.Status == "completed" })
	if c.Conclusion != "failure" || !strings.Contains(c.Output.Title, "changes requested by erin") {
		t.Errorf("check = %s %q, want failure blocked by erin's review", c.Conclusion, c.Output.Title)
	}
	// A green check is followed by the merge: give it the time to land.
	for range 20 {
		if pr, err := w.sim.PullRequest(owner, repoName, n); err != nil || pr.Merged {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	w.assertNotMerged(n)

	// The simulator behaved as GitHub: an unchanged page 1 was answered
	// 304, and zgate went on to page 2.
	var page1NotModified, page2 bool
	for _, r := range readsSoFar()[len(first):] {
		if r.conditional && r.status == http.StatusNotModified && (r.page == "" || r.page == "1") {
			page1NotModified = true
		}
		if r.page == "2" && r.status == http.StatusOK {
			page2 = true
		}
	}
	if !page1NotModified || !page2 {
		t.Errorf("reads after the veto = %+v; want page 1 answered 304 and page 2 read", readsSoFar()[len(first):])
	}
}
