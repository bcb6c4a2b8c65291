package e2e

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/store/storetest"
)

// TestStoreCommitsPerReviewEvent counts the write transactions the store
// commits for one review event, through the real binary: webhook intake,
// queue, engine, check run. Three are enough: intake (the delivery and
// its job), the claim, and one finish holding the check run's
// fingerprint, the decision's audit record, the window's timer and the
// job's completion.
func TestStoreCommitsPerReviewEvent(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testStoreCommits(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv("ZGATE_TEST_POSTGRES") == "" {
			t.Skip(storetest.SkipPostgres)
		}
		testStoreCommits(t, func(w *world) { w.db = storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES")) })
	})
}

func testStoreCommits(t *testing.T, edit func(*world)) {
	w := newWorld(t)
	if edit != nil {
		edit(w)
	}
	p := w.serve()
	n, head := w.openPR("scale", nil)
	w.pendingWith(head, 0)
	before := p.settledCommits(t)
	decisions := auditKinds(w.auditRecords())["decision"]

	w.approve(n, "carol")
	w.pendingWith(head, 1)
	got := p.settledCommits(t) - before
	if got > 3 || got < 1 {
		t.Errorf("store commits for one review event = %d, want 1 to 3 (intake, claim, finish)", got)
	}
	t.Logf("store commits for one review event: %d", got)
	if d := auditKinds(w.auditRecords())["decision"]; d != decisions+1 {
		t.Errorf("decision records after the review = %d, want %d: the changed check is audited once", d, decisions+1)
	}
}

// settledCommits waits until zgate_store_commits_total has not moved for
// a while (the job's finish lands after the check run is written) and
// returns it.
func (p *proc) settledCommits(t *testing.T) int {
	t.Helper()
	const quiet = 700 * time.Millisecond
	last, since := -1, time.Now()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		c := p.commits(t)
		if c != last {
			last, since = c, time.Now()
		} else if time.Since(since) >= quiet {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("zgate_store_commits_total still moving after %v (last %d)", waitFor, last)
	return 0
}

// commits reads zgate_store_commits_total.
func (p *proc) commits(t *testing.T) int {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(p.metrics(t)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "zgate_store_commits_total "); ok {
			f, err := strconv.ParseFloat(v, 64)
			must(t, err)
			return int(f)
		}
	}
	t.Fatal("/metrics lacks zgate_store_commits_total")
	return 0
}
