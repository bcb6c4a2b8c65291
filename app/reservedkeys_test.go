package app

import (
	"testing"

	"github.com/zgate-dev/zgate/app/deploy"
	"github.com/zgate-dev/zgate/app/engine"
)

// TestReservedKeysDistinct: the job keys that stand for a whole
// repository (its pull requests, its merge groups, its pending
// deployments) use pull request numbers GitHub never reaches, and each
// its own: Run routes a job by its number, so two kinds sharing one would
// send one kind's jobs to the other's engine (a merge group never judged).
func TestReservedKeysDistinct(t *testing.T) {
	reserved := map[string]int{
		"repository":  engine.RepoNumber,
		"merge queue": engine.MergeQueueNumber,
		"deployments": deploy.Number,
	}
	seen := map[int]string{}
	for kind, n := range reserved {
		if other, dup := seen[n]; dup {
			t.Errorf("%s and %s jobs share the number %d", kind, other, n)
		}
		seen[n] = kind
		if n < 1<<30 {
			t.Errorf("%s jobs use %d, within reach of real pull request numbers", kind, n)
		}
	}
	k := deploy.Key(1, "acme", "payments")
	if engine.IsMergeQueueKey(k) || engine.IsRepoKey(k) || !deploy.IsKey(k) {
		t.Errorf("deployments key %+v is taken for another kind", k)
	}
	if q := engine.MergeQueueKey(1, "acme", "payments"); deploy.IsKey(q) {
		t.Errorf("merge-queue key %+v is taken for deployments", q)
	}
}
