package deploy

import (
	"math"

	"github.com/zgate-dev/zgate/app/store"
)

// Number is the pull request number of a deployments key: a job that
// means "re-evaluate every pending deployment of this repository". The
// store only queues positive numbers, GitHub's never come near 2^31, and
// the two above this one are taken: the repository key (engine.RepoNumber)
// and the merge-queue key (engine.MergeQueueNumber).
const Number = math.MaxInt32 - 2

// Key is the deployments key of owner/repo.
func Key(installation int64, owner, repo string) store.PRKey {
	return store.PRKey{Installation: installation, Owner: owner, Repo: repo, Number: Number}
}

// IsKey reports whether k is a deployments key.
func IsKey(k store.PRKey) bool { return k.Number == Number }
