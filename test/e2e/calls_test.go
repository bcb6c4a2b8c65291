package e2e

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Issue 8's call budgets, asserted so they cannot regress. rated counts
// the calls that use GitHub's primary rate limit (every answer but a 304),
// reads the GETs among them.
const (
	// A review that changes the check run's text but not its outcome
	// (pending): the base branch's ref (policy cache) and the files
	// (304s), and one check-run write; the legacy name's run repeats only
	// the outcome (report.Content.Mirror). The pull request and the
	// review come with the delivery, the other reviews from the last
	// list (facts.Hints): a pending check may be reported from them, a
	// green one only after a fresh read (TestCheap* in app/engine).
	maxReviewCalls, maxReviewRatedReads, maxReviewWrites = 3, 0, 1
	// A new pull request: the head's statuses (the guard against foreign
	// ones), the base branch's ref, its files, and both check names
	// created. The pull request comes with the opened delivery, which
	// also says there are no reviews yet; the timeline and commits are
	// read by the first evaluation that could turn a check green.
	maxColdCalls, maxColdRatedReads, maxColdWrites = 5, 2, 2
)

// TestColdPRCalls: the first evaluation of a new pull request stays
// within its budget.
func TestColdPRCalls(t *testing.T) {
	w := newWorld(t)
	p := w.serve()
	_, head0 := w.openPR("warmup", nil) // the token, teams and policy
	w.pendingWith(head0, 0)
	waitEvaluationsOf(t, p, 1)
	time.Sleep(200 * time.Millisecond)
	w.sim.ResetCalls()
	before := evaluationsOf(t, p)
	_, head := w.openPR("cold", nil)
	w.pendingWith(head, 0)
	waitEvaluationsOf(t, p, before+1)
	time.Sleep(200 * time.Millisecond)
	total, reads, writes := tally(w.sim.Calls(), w.sim.RatedCalls())
	if total > maxColdCalls || reads > maxColdRatedReads || writes > maxColdWrites {
		t.Errorf("new pull request: %d calls, %d reads and %d writes against the rate limit; want <= %d, <= %d, <= %d\n%s",
			total, reads, writes, maxColdCalls, maxColdRatedReads, maxColdWrites, byRoute(w.sim.Calls(), w.sim.RatedCalls()))
	}
}

// tally sums calls, reads against the rate limit, and writes.
func tally(calls, rated map[string]int) (total, reads, writes int) {
	for route, c := range calls {
		total += c
		if strings.HasPrefix(route, "GET ") {
			reads += rated[route]
		} else {
			writes += c
		}
	}
	return total, reads, writes
}

// TestReviewEventCalls: a review on a pull request zgate has seen reads
// what the delivery does not carry and writes the check run, and no more:
// the pull request and the review come with the delivery and the other
// reviews were listed before (facts.Hints; the outcome is pending, so no
// fresh read), the check runs' status comes from the store (no GET of a
// run before its update), the policy and CODEOWNERS are parsed already
// for the base branch's head (only the branch ref is read, 304 while it
// does not move), the head's statuses were read on its first evaluation
// (re-read only after a status webhook; TestForeignStatusOverwritten),
// the timeline and commits are the last read's (facts.ListMemo), and the
// legacy check "zgate/production" keeps its outcome (pending), so only
// "zgate/production: main" is rewritten.
func TestReviewEventCalls(t *testing.T) {
	w := newWorld(t)
	p := w.serve()
	n, head := w.openPR("calls", nil)
	w.pendingWith(head, 0)
	// The memo keeps the timeline's and commits' results once the pull
	// request's latest change is past GitHub's second and the clocks'
	// skew; a re-run after that reads them once more and keeps them.
	time.Sleep(3 * time.Second)
	before := evaluationsOf(t, p)
	rerequest(t, w, head)
	waitEvaluationsOf(t, p, before+1)
	w.sim.ResetCalls()
	before = evaluationsOf(t, p)
	w.approve(n, "carol")
	w.pendingWith(head, 1)
	waitEvaluationsOf(t, p, before+1)
	time.Sleep(200 * time.Millisecond) // let a stray second evaluation show
	calls, rated := w.sim.Calls(), w.sim.RatedCalls()
	for route, c := range calls {
		for _, never := range []string{"GET /repos/{owner}/{repo}/check-runs/", "/contents/", "/status", "/timeline", "/pulls/{pull_number}/commits"} {
			if strings.Contains(route, never) {
				t.Errorf("review event: %d × %s, want none", c, route)
			}
		}
	}
	for _, route := range []string{"GET /repos/{owner}/{repo}/pulls/{pull_number}", "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews"} {
		if got := calls[route]; got != 0 {
			t.Errorf("review event: %d × %s, want none: the delivery carries them (calls: %v)", got, route, calls)
		}
	}
	total, reads, writes := tally(calls, rated)
	if total > maxReviewCalls || reads > maxReviewRatedReads || writes > maxReviewWrites {
		t.Errorf("review event: %d calls, %d reads and %d writes against the rate limit; want <= %d, <= %d, <= %d\n%s",
			total, reads, writes, maxReviewCalls, maxReviewRatedReads, maxReviewWrites, byRoute(calls, rated))
	}
	if got := calls["PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"]; got != 1 {
		t.Errorf("review event updated %d check runs, want 1 (the per-base one)\n%s", got, byRoute(calls, rated))
	}
}

// byRoute lists calls by route with, in brackets, those against the rate
// limit.
func byRoute(calls, rated map[string]int) string {
	var out []string
	for r, c := range calls {
		out = append(out, fmt.Sprintf("%d (%d) %s", c, rated[r], r))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

var evaluationsRe = regexp.MustCompile(`(?m)^zgate_evaluation_seconds_count(?:\{[^}]*\})? (\d+)`)

// evaluationsOf returns how many evaluations zgate serve finished.
func evaluationsOf(t testing.TB, p *proc) int {
	t.Helper()
	n := 0
	for _, m := range evaluationsRe.FindAllStringSubmatch(p.metrics(t), -1) {
		v, err := strconv.Atoi(m[1])
		must(t, err)
		n += v
	}
	return n
}

// waitEvaluationsOf waits until zgate serve finished at least n
// evaluations.
func waitEvaluationsOf(t testing.TB, p *proc, n int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for evaluationsOf(t, p) < n {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d evaluations within %v", n, waitFor)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
