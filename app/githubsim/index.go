package githubsim

import (
	"slices"
)

// repoIndex keeps, per repository, the lookups REST answers make on every
// call, so that answering a check-run write or a status read costs the
// same with one open pull request as with thousands: without them each
// answer scanned every check run, status and pull request, and sorted
// every branch, behind the one state lock. The slices they index
// (repo.checkRuns, repo.statuses) stay the record of order; these maps
// point into them. Callers hold s.mu.
type repoIndex struct {
	runByID       map[int64]*checkRun
	runsBySHA     map[string][]*checkRun // oldest first
	statusesBySHA map[string][]*status   // oldest first
	pullsByHead   map[string][]*pull     // every state, by number
	branchesAt    map[string][]string    // head sha -> branch names, sorted
}

func newRepoIndex() repoIndex {
	return repoIndex{
		runByID: map[int64]*checkRun{}, runsBySHA: map[string][]*checkRun{},
		statusesBySHA: map[string][]*status{}, pullsByHead: map[string][]*pull{},
		branchesAt: map[string][]string{},
	}
}

// addCheckRun stores a new check run. A run's head never changes.
func (r *repo) addCheckRun(c *checkRun) {
	r.checkRuns = append(r.checkRuns, c)
	r.idx.runByID[c.ID] = c
	r.idx.runsBySHA[c.HeadSHA] = append(r.idx.runsBySHA[c.HeadSHA], c)
}

// runsOn returns the check runs on sha, oldest first. Callers must not
// change the slice.
func (r *repo) runsOn(sha string) []*checkRun { return r.idx.runsBySHA[sha] }

// addStatus stores a new commit status.
func (r *repo) addStatus(st *status) {
	r.statuses = append(r.statuses, st)
	r.idx.statusesBySHA[st.SHA] = append(r.idx.statusesBySHA[st.SHA], st)
}

// statusesOn returns the statuses on sha, oldest first. Callers must not
// change the slice.
func (r *repo) statusesOn(sha string) []*status { return r.idx.statusesBySHA[sha] }

// setBranch points branch at sha.
func (r *repo) setBranch(branch, sha string) {
	if old, ok := r.branches[branch]; ok {
		r.idx.branchesAt[old] = deleteSorted(r.idx.branchesAt[old], branch)
		if len(r.idx.branchesAt[old]) == 0 {
			delete(r.idx.branchesAt, old)
		}
	}
	r.branches[branch] = sha
	names := r.idx.branchesAt[sha]
	if i, found := slices.BinarySearch(names, branch); !found {
		r.idx.branchesAt[sha] = slices.Insert(names, i, branch)
	}
}

// branchesOn returns the branches whose head is sha, sorted. Callers must
// not change the slice.
func (r *repo) branchesOn(sha string) []string { return r.idx.branchesAt[sha] }

// addPull stores a new pull request.
func (r *repo) addPull(p *pull) {
	r.pulls[p.number] = p
	r.idx.pullsByHead[p.headSHA] = insertPull(r.idx.pullsByHead[p.headSHA], p)
}

// moveHead points p's head at sha.
func (r *repo) moveHead(p *pull, sha string) {
	old := r.idx.pullsByHead[p.headSHA]
	if i := slices.Index(old, p); i >= 0 {
		old = slices.Delete(old, i, i+1)
	}
	if len(old) == 0 {
		delete(r.idx.pullsByHead, p.headSHA)
	} else {
		r.idx.pullsByHead[p.headSHA] = old
	}
	p.headSHA = sha
	r.idx.pullsByHead[sha] = insertPull(r.idx.pullsByHead[sha], p)
}

// pullsWithHead returns the pull requests (any state) whose head is sha,
// by number. Callers must not change the slice.
func (r *repo) pullsWithHead(sha string) []*pull { return r.idx.pullsByHead[sha] }

func insertPull(ps []*pull, p *pull) []*pull {
	i, _ := slices.BinarySearchFunc(ps, p.number, func(q *pull, n int) int { return q.number - n })
	return slices.Insert(ps, i, p)
}

func deleteSorted(names []string, name string) []string {
	if i, found := slices.BinarySearch(names, name); found {
		return slices.Delete(names, i, i+1)
	}
	return names
}
