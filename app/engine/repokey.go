package engine

import (
	"math"

	"github.com/zgate-dev/zgate/app/store"
)

// RepoNumber is the pull request number of a repository-level key: a job
// that means "re-evaluate every open pull request of this repository". The
// store only queues positive numbers, and GitHub numbers pull requests
// from 1 upwards, so the largest 32-bit number is free for it.
const RepoNumber = math.MaxInt32

// RepoKey is the repository-level key of owner/repo.
func RepoKey(installation int64, owner, repo string) store.PRKey {
	return store.PRKey{Installation: installation, Owner: owner, Repo: repo, Number: RepoNumber}
}

// IsRepoKey reports whether k names a repository rather than one pull
// request.
func IsRepoKey(k store.PRKey) bool { return k.Number == RepoNumber || k.Number <= 0 }
