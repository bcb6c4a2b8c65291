package deploy

import (
	"math"

	"github.com/zgate-dev/zgate/app/store"
)

// Number is the pull request number of a deployments key: a job that
// means "re-evaluate every pending deployment of this repository". The
// store only queues positive numbers and the largest 32-bit one is the
// repository key (engine.RepoNumber), so the one below it is free.
const Number = math.MaxInt32 - 1

// Key is the deployments key of owner/repo.
func Key(installation int64, owner, repo string) store.PRKey {
	return store.PRKey{Installation: installation, Owner: owner, Repo: repo, Number: Number}
}

// IsKey reports whether k is a deployments key.
func IsKey(k store.PRKey) bool { return k.Number == Number }
