package githubsim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// The merge queue, as GitHub runs it: a branch can require one (a
// ruleset's merge_queue rule, served by GET /rules/branches/{branch});
// the REST merge of a pull request into such a branch is refused (405);
// the GraphQL mutation enqueuePullRequest adds a pull request, and each
// entry gets a merge group: a commit on top of the group ahead of it (or
// the base tip), on the branch gh-readonly-queue/<base>/pr-<N>-<head>,
// announced by a merge_group "checks_requested" webhook. When the
// required checks of the base pass on a group's head, the base moves to
// it and every pull request of the group (that one and all ahead) is
// merged; when one fails, that pull request leaves the queue and the
// groups behind it are rebuilt. Every group that goes away is announced
// by a merge_group "destroyed" webhook with GitHub's reason ("merged",
// "dequeued", "invalidated").

// mergeQueueBot is the sender of merge queue events and the merger.
const mergeQueueBot = "github-merge-queue[bot]"

// queueEntry is one pull request in a branch's merge queue.
type queueEntry struct {
	id      int64
	pr      *pull
	headSHA string // the pull request's head when queued
	group   string // head commit of its merge group
	ref     string // the group's branch, without refs/heads/
	by      string
}

// QueueEntry describes one entry of a merge queue, front first.
type QueueEntry struct {
	PR      int    `json:"pr"`
	HeadSHA string `json:"head_sha"`
	// GroupSHA and GroupRef are its merge group's head commit and branch.
	GroupSHA string `json:"group_sha"`
	GroupRef string `json:"group_ref"`
}

// RequireMergeQueue makes branch require a merge queue (a ruleset's
// merge_queue rule), or no longer when on is false.
func (s *Sim) RequireMergeQueue(owner, repoName, branch string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("merge queue on %s/%s: %w", owner, repoName, ErrNotFound)
	}
	if r.mergeQueue == nil {
		r.mergeQueue = map[string]bool{}
	}
	r.mergeQueue[branch] = on
	return nil
}

// MergeQueue lists branch's merge queue, front first.
func (s *Sim) MergeQueue(owner, repoName, branch string) []QueueEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return nil
	}
	var out []QueueEntry
	for _, e := range r.queues[branch] {
		out = append(out, QueueEntry{PR: e.pr.number, HeadSHA: e.headSHA, GroupSHA: e.group, GroupRef: e.ref})
	}
	return out
}

// EnqueuePR adds pull request number to its base's merge queue as user
// would from the UI, under the rules of the GraphQL mutation.
func (s *Sim) EnqueuePR(owner, repoName string, number int, user, sha string) error {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	_, evs, msg := s.enqueue(r, p, sha, user)
	s.mu.Unlock()
	if msg != "" {
		return fmt.Errorf("enqueue %s/%s#%d: %s: %w", owner, repoName, number, msg, ErrRefused)
	}
	s.post(evs, true)
	return nil
}

func (s *Sim) mergeQueueRoutes() {
	s.handle("GET /repos/{owner}/{repo}/rules/branches/{branch...}", authToken, s.branchRules)
	s.handle("GET /repos/{owner}/{repo}/git/matching-refs/{ref...}", authToken, s.matchingRefs)
	s.handle("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", authToken, s.gitCommit)
	// GraphQL lives beside the REST API: /api/graphql on GitHub Enterprise
	// Server, whose layout the simulator follows.
	s.patterns = append(s.patterns, "POST /graphql")
	s.mux.HandleFunc("POST /api/graphql", func(w http.ResponseWriter, r *http.Request) {
		s.serveAPI(w, r, "POST /graphql", authToken, s.graphql)
	})
}

// branchRules answers GET /repos/{o}/{r}/rules/branches/{branch}: the
// active rules of the branch; only merge_queue is simulated.
func (s *Sim) branchRules(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	rules := []map[string]any{}
	if r.mergeQueue[q.path("branch")] {
		rules = append(rules, map[string]any{
			"type": "merge_queue", "ruleset_source_type": "Repository", "ruleset_source": r.fullName(), "ruleset_id": r.id,
			"parameters": map[string]any{
				"check_response_timeout_minutes": 60, "grouping_strategy": "ALLGREEN", "max_entries_to_build": 5,
				"max_entries_to_merge": 5, "merge_method": "MERGE", "min_entries_to_merge": 1,
				"min_entries_to_merge_wait_minutes": 5,
			},
		})
	}
	return ok(rules)
}

// matchingRefs answers GET /repos/{o}/{r}/git/matching-refs/{ref}: every
// ref (branches included) whose name starts with refs/<ref>, sorted.
func (s *Sim) matchingRefs(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	prefix := "refs/" + q.path("ref")
	all := map[string]string{}
	for b, sha := range r.branches {
		all["refs/heads/"+b] = sha
	}
	maps.Copy(all, r.refs)
	out := []map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(all)) {
		if strings.HasPrefix(k, prefix) {
			out = append(out, s.refObject(r, k, all[k]))
		}
	}
	return ok(out)
}

// enqueue adds p to its base's queue, the head being sha. It returns the
// entry, the events, or GitHub's refusal. Callers hold s.mu.
func (s *Sim) enqueue(r *repo, p *pull, sha, by string) (*queueEntry, []event, string) {
	switch {
	case !r.mergeQueue[p.baseRef]:
		return nil, nil, "Merge queue is not enabled for the base branch of this pull request"
	case p.state != "open":
		return nil, nil, "Pull request is not open"
	case sha != "" && sha != p.headSHA:
		return nil, nil, "Head ref has been modified since the expected head OID"
	case p.draft:
		return nil, nil, "Pull request is in draft state"
	}
	for _, e := range r.queues[p.baseRef] {
		if e.pr == p {
			return nil, nil, "Pull request is already in the merge queue"
		}
	}
	if missing := s.failingRequired(r, p.baseRef, p.headSHA); missing != "" {
		return nil, nil, fmt.Sprintf("Required status check %q is expected", missing)
	}
	if r.queues == nil {
		r.queues = map[string][]*queueEntry{}
	}
	e := &queueEntry{id: s.id(), pr: p, headSHA: p.headSHA, by: by}
	q := r.queues[p.baseRef]
	parent := r.branches[p.baseRef]
	if len(q) > 0 {
		parent = q[len(q)-1].group
	}
	ev, clean := s.buildGroup(r, e, parent)
	if !clean {
		return nil, nil, "Pull request has merge conflicts with the merge queue"
	}
	r.queues[p.baseRef] = append(q, e)
	evs := []event{ev}
	return e, append(evs, s.advanceQueue(r, p.baseRef)...), ""
}

// buildGroup makes e's merge group on parent and returns its
// checks_requested event. Callers hold s.mu.
func (s *Sim) buildGroup(r *repo, e *queueEntry, parent string) (event, bool) {
	p := e.pr
	mb := r.mergeBase(parent, e.headSHA)
	var mbTree map[string]string
	if c := r.commits[mb]; c != nil {
		mbTree = c.tree
	}
	tree, clean := threeWay(mbTree, r.commits[e.headSHA].tree, r.commits[parent].tree)
	if !clean {
		return event{}, false
	}
	msg := fmt.Sprintf("Merge pull request #%d from %s/%s\n\n%s", p.number, r.owner, p.headRef, p.title)
	c := s.newCommit(tree, []string{parent, e.headSHA}, msg, mergeQueueBot)
	r.commits[c.sha] = c
	if e.ref != "" {
		r.dropBranch(e.ref)
	}
	e.group = c.sha
	e.ref = fmt.Sprintf("gh-readonly-queue/%s/pr-%d-%s", p.baseRef, p.number, e.headSHA)
	r.setBranch(e.ref, c.sha)
	s.ensureSuite(r, c.sha, e.ref)
	return s.mergeGroupEvent(r, e, parent, "checks_requested", ""), true
}

// mergeGroupEvent is the merge_group webhook of e's group.
func (s *Sim) mergeGroupEvent(r *repo, e *queueEntry, baseSHA, action, reason string) event {
	c := r.commits[e.group]
	au := gitUserOf(c.author, c.date)
	f := map[string]any{
		"action": action,
		"merge_group": map[string]any{
			"head_sha": e.group, "head_ref": "refs/heads/" + e.ref,
			"base_sha": baseSHA, "base_ref": "refs/heads/" + e.pr.baseRef,
			"head_commit": map[string]any{
				"id": c.sha, "tree_id": treeSHA(c.tree), "message": c.message, "timestamp": ts(c.date),
				"author":    map[string]any{"name": au.Name, "email": au.Email},
				"committer": map[string]any{"name": au.Name, "email": au.Email},
			},
		},
	}
	if reason != "" {
		f["reason"] = reason
	}
	return s.event("merge_group", r, mergeQueueBot, f)
}

// checkFailed reports whether a required check of branch has definitely
// failed on sha (a completed run or a status that is not green). Callers
// hold s.mu.
func (s *Sim) checkFailed(r *repo, branch, sha string) bool {
	for _, name := range r.required[branch] {
		runs := r.runsOn(sha)
		found := false
		for i := len(runs) - 1; i >= 0; i-- {
			if c := runs[i]; c.Name == name {
				found = true
				if c.Status == "completed" && !slices.Contains([]string{"success", "neutral", "skipped"}, c.Conclusion) {
					return true
				}
				break
			}
		}
		if found {
			continue
		}
		sts := r.statusesOn(sha)
		for i := len(sts) - 1; i >= 0; i-- {
			if st := sts[i]; st.Context == name {
				if st.State == "failure" || st.State == "error" {
					return true
				}
				break
			}
		}
	}
	return false
}

// advanceQueues runs [Sim.advanceQueue] on every queue of r.
func (s *Sim) advanceQueues(r *repo) []event {
	var evs []event
	for _, b := range slices.Sorted(maps.Keys(r.queues)) {
		evs = append(evs, s.advanceQueue(r, b)...)
	}
	return evs
}

// advanceQueue merges the groups whose required checks pass and drops
// the entries whose group failed, until nothing changes. Callers hold
// s.mu.
func (s *Sim) advanceQueue(r *repo, branch string) []event {
	var evs []event
	for changed := true; changed; {
		changed = false
		q := r.queues[branch]
		// The furthest group that passes merges with all ahead of it.
		for i := len(q) - 1; i >= 0; i-- {
			if s.failingRequired(r, branch, q[i].group) == "" {
				evs = append(evs, s.mergeGroups(r, branch, i)...)
				changed = true
				break
			}
		}
		if changed {
			continue
		}
		for i, e := range q {
			if s.checkFailed(r, branch, e.group) {
				evs = append(evs, s.dequeue(r, branch, i, "dequeued")...)
				changed = true
				break
			}
		}
	}
	return evs
}

// mergeGroups merges the groups of entries 0..i of branch's queue: the
// branch moves to entry i's group. Callers hold s.mu.
func (s *Sim) mergeGroups(r *repo, branch string, i int) []event {
	q := r.queues[branch]
	before := r.branches[branch]
	var evs []event
	now := s.clock()
	parent := before
	for _, e := range q[:i+1] {
		p := e.pr
		p.merged, p.mergeCommitSHA, p.mergedBy = true, e.group, mergeQueueBot
		p.state, p.closed, p.mergedAt, p.updated = "closed", now, now, now
		r.open--
		evs = append(evs, s.mergeGroupEvent(r, e, parent, "destroyed", "merged"))
		parent = e.group
		r.dropBranch(e.ref)
	}
	r.queues[branch] = slices.Clone(q[i+1:])
	evs = append(evs, s.advance(r, branch, r.commits[q[i].group], mergeQueueBot, before)...)
	for _, e := range q[:i+1] {
		evs = append(evs, s.pullEvent(r, e.pr, "closed", mergeQueueBot, nil))
	}
	return evs
}

// dequeue removes entry i of branch's queue (its group destroyed with
// reason) and rebuilds the groups behind it. Callers hold s.mu.
func (s *Sim) dequeue(r *repo, branch string, i int, reason string) []event {
	q := r.queues[branch]
	parent := r.branches[branch]
	if i > 0 {
		parent = q[i-1].group
	}
	gone := q[i]
	evs := []event{s.mergeGroupEvent(r, gone, parent, "destroyed", reason)}
	r.dropBranch(gone.ref)
	rest := q[i+1:]
	kept := slices.Clone(q[:i])
	for _, e := range rest {
		evs = append(evs, s.mergeGroupEvent(r, e, parent, "destroyed", "invalidated"))
		ev, clean := s.buildGroup(r, e, parent)
		if !clean {
			r.dropBranch(e.ref)
			continue
		}
		kept = append(kept, e)
		evs = append(evs, ev)
		parent = e.group
	}
	r.queues[branch] = kept
	return evs
}

// DequeuePR removes pull request number from its base's merge queue, as a
// person would with "Remove from queue".
func (s *Sim) DequeuePR(owner, repoName string, number int) error {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	var evs []event
	for i, e := range r.queues[p.baseRef] {
		if e.pr == p {
			evs = s.dequeue(r, p.baseRef, i, "dequeued")
			break
		}
	}
	s.mu.Unlock()
	if evs == nil {
		return fmt.Errorf("dequeue %s/%s#%d: not queued: %w", owner, repoName, number, ErrNotFound)
	}
	s.post(evs, true)
	return nil
}

// inQueue reports whether p is in its base's merge queue. Callers hold s.mu.
func (r *repo) inQueue(p *pull) bool {
	for _, e := range r.queues[p.baseRef] {
		if e.pr == p {
			return true
		}
	}
	return false
}

// graphqlRequest is a GraphQL POST body.
type graphqlRequest struct {
	Query     string                     `json:"query"`
	Variables map[string]json.RawMessage `json:"variables"`
}

// gqlError is one entry of a GraphQL answer's "errors".
type gqlError struct {
	Type    string   `json:"type,omitempty"`
	Path    []string `json:"path,omitempty"`
	Message string   `json:"message"`
}

// graphql answers the two GraphQL operations zgate sends (the
// enqueuePullRequest mutation and a pull request's merge and queue
// state), with GitHub's shapes: 200 with "data", or 200 with "errors"
// (and null data) when GitHub refuses. Anything else is answered with a
// GraphQL error, never guessed at.
func (s *Sim) graphql(q *request) response {
	var b graphqlRequest
	if err := json.Unmarshal(q.body, &b); err != nil || b.Query == "" {
		return apiError(http.StatusBadRequest, "Problems parsing JSON")
	}
	fail := func(field, typ, msg string) response {
		return ok(map[string]any{"data": map[string]any{field: nil}, "errors": []gqlError{{Type: typ, Path: []string{field}, Message: msg}}})
	}
	str := func(name string) string {
		var v string
		_ = json.Unmarshal(b.Variables[name], &v)
		return v
	}
	switch {
	case strings.Contains(b.Query, "enqueuePullRequest("):
		id, sha := str("id"), str("sha")
		r, p := s.pullByNodeID(id)
		if p == nil || !q.canSee(r.owner) {
			return fail("enqueuePullRequest", "NOT_FOUND", fmt.Sprintf("Could not resolve to a node with the global id of '%s'", id))
		}
		e, evs, msg := s.enqueue(r, p, sha, s.botLogin())
		if msg != "" {
			return fail("enqueuePullRequest", "UNPROCESSABLE", msg)
		}
		pos := slices.Index(r.queues[p.baseRef], e) + 1
		state := "QUEUED"
		if pos == 0 {
			state, pos = "MERGEABLE", 0 // merged at once (no required checks)
		}
		resp := ok(map[string]any{"data": map[string]any{"enqueuePullRequest": map[string]any{
			"mergeQueueEntry": map[string]any{"id": nodeID("MQE", e.id), "position": pos, "state": state}}}})
		resp.events = evs
		return resp
	case strings.Contains(b.Query, "isInMergeQueue"):
		var number int
		_ = json.Unmarshal(b.Variables["number"], &number)
		r := s.repo(str("owner"), str("name"))
		if r == nil || !q.canSee(r.owner) {
			return fail("repository", "NOT_FOUND", fmt.Sprintf("Could not resolve to a Repository with the name '%s/%s'.", str("owner"), str("name")))
		}
		p := r.pulls[number]
		if p == nil {
			return ok(map[string]any{"data": map[string]any{"repository": map[string]any{"pullRequest": nil}},
				"errors": []gqlError{{Type: "NOT_FOUND", Path: []string{"repository", "pullRequest"}, Message: fmt.Sprintf("Could not resolve to a PullRequest with the number of %d.", number)}}})
		}
		return ok(map[string]any{"data": map[string]any{"repository": map[string]any{"pullRequest": map[string]any{
			"id": nodeID("PR", p.id), "merged": p.merged, "isInMergeQueue": r.inQueue(p), "headRefOid": p.headSHA}}}})
	}
	return ok(map[string]any{"errors": []gqlError{{Message: "githubsim: only the enqueuePullRequest mutation and the pull request isInMergeQueue query are simulated"}}})
}

// pullByNodeID finds a pull request by its node id. Callers hold s.mu.
func (s *Sim) pullByNodeID(id string) (*repo, *pull) {
	for _, k := range slices.Sorted(maps.Keys(s.repos)) {
		r := s.repos[k]
		for _, p := range r.pulls {
			if nodeID("PR", p.id) == id {
				return r, p
			}
		}
	}
	return nil, nil
}

// dropBranch deletes branch, keeping the index. Callers hold s.mu.
func (r *repo) dropBranch(branch string) {
	old, ok := r.branches[branch]
	if !ok {
		return
	}
	delete(r.branches, branch)
	r.idx.branchesAt[old] = deleteSorted(r.idx.branchesAt[old], branch)
	if len(r.idx.branchesAt[old]) == 0 {
		delete(r.idx.branchesAt, old)
	}
}

// gitCommit answers GET /repos/{o}/{r}/git/commits/{sha}: GitHub's
// git-commit (the git database object: full sha only, parents, tree).
func (s *Sim) gitCommit(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	c := r.commits[q.path("commit_sha")]
	if c == nil {
		return notFound()
	}
	u := s.api() + "/repos/" + r.fullName() + "/git/commits/"
	parents := []map[string]any{}
	for _, p := range c.parents {
		parents = append(parents, map[string]any{"sha": p, "url": u + p, "html_url": s.base + "/" + r.fullName() + "/commit/" + p})
	}
	au := gitUserOf(c.author, c.date)
	return ok(map[string]any{
		"sha": c.sha, "node_id": "C_" + c.sha[:12], "url": u + c.sha, "html_url": s.base + "/" + r.fullName() + "/commit/" + c.sha,
		"author": au, "committer": au, "message": c.message,
		"tree":         map[string]any{"sha": treeSHA(c.tree), "url": s.api() + "/repos/" + r.fullName() + "/git/trees/" + treeSHA(c.tree)},
		"parents":      parents,
		"verification": map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil},
	})
}

// dequeuePushed removes p from its queue after a push to its head, as
// GitHub does. Callers hold s.mu.
func (s *Sim) dequeuePushed(r *repo, p *pull) []event {
	for i, e := range r.queues[p.baseRef] {
		if e.pr == p {
			return s.dequeue(r, p.baseRef, i, "dequeued")
		}
	}
	return nil
}
