package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/store/storetest"
)

// TestTwoReplicasOnPostgres runs two `zgate serve` replicas on one
// PostgreSQL database: webhooks reach one, jobs are claimed by either, and
// every pull request is still merged exactly once.
func TestTwoReplicasOnPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t, os.Getenv("ZGATE_TEST_POSTGRES"))
	w := newWorld(t)
	w.db = dsn
	w.serve()
	w.serve() // webhooks now go to the second; both work the queue

	const prs = 6
	heads := map[int]string{}
	for i := range prs {
		n, head := w.openPR(fmt.Sprintf("change-%d", i), map[string]string{fmt.Sprintf("deploy/prod/app-%d.yml", i): "replicas: 2\n"})
		heads[n] = head
	}
	for n, head := range heads {
		w.pendingWith(head, 0)
		w.approve(n, "carol")
		w.approve(n, "dave")
	}
	for n, head := range heads {
		w.waitCheck(head, "success", func(c githubsim.CheckRun) bool { return c.Conclusion == "success" })
		w.waitMerged(n)
	}
	w.waitAudit("execution:done", prs)
	if got := w.mergeCount(); got != prs {
		t.Errorf("merges = %d, want %d (one per pull request)", got, prs)
	}
	for n := range heads {
		if got := w.exportedZ(n, "merge"); got["done"] != 1 {
			t.Errorf("zgate audit export shows merge records %v of #%d, want one done", got, n)
		}
	}
}
