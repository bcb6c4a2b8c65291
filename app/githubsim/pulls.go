package githubsim

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxPRFiles is GitHub's cap on the files a pull request lists.
const maxPRFiles = 3000

// pull is one pull request.
type pull struct {
	number         int
	id             int64
	title, body    string
	author         string
	state          string // open, closed
	draft          bool
	labels         []string
	headRef        string
	baseRef        string
	headSHA        string
	merged         bool
	mergeCommitSHA string
	mergedBy       string
	created        time.Time
	updated        time.Time
	closed         time.Time
	mergedAt       time.Time
	reviews        []*review
	// timeline holds the pull request's base_ref_changed events.
	timeline []timelineEvent
	// requestedTeams are the teams whose review is requested, by team key
	// (teamKey), oldest request first.
	requestedTeams []string
}

// PROptions describes a pull request to open.
type PROptions struct {
	Head, Base, Title, Author string
	Body                      string
	Draft                     bool
	Labels                    []string
}

// PRState is the part of a pull request tests assert on.
type PRState struct {
	Merged         bool   `json:"merged"`
	MergeCommitSHA string `json:"merge_commit_sha"`
	HeadSHA        string `json:"head_sha"`
	// State is "open" or "closed".
	State string `json:"state"`
}

// OpenPR opens a pull request from o.Head into o.Base (default: the
// default branch) and emits pull_request opened.
func (s *Sim) OpenPR(owner, repoName string, o PROptions) (int, error) {
	s.mu.Lock()
	r := s.repo(owner, repoName)
	if r == nil {
		s.mu.Unlock()
		return 0, fmt.Errorf("open PR in %s/%s: %w", owner, repoName, ErrNotFound)
	}
	if o.Base == "" {
		o.Base = r.defaultBranch
	}
	head, okH := r.branches[o.Head]
	_, okB := r.branches[o.Base]
	if !okH || !okB || o.Head == o.Base {
		s.mu.Unlock()
		return 0, fmt.Errorf("open PR %s -> %s in %s/%s: %w", o.Head, o.Base, owner, repoName, ErrNotFound)
	}
	if o.Title == "" {
		o.Title = "Update " + o.Head
	}
	now := s.clock()
	p := &pull{
		number: r.nextNumber, id: s.id(), title: o.Title, body: o.Body, author: o.Author,
		state: "open", draft: o.Draft, labels: slices.Clone(o.Labels), headRef: o.Head,
		baseRef: o.Base, headSHA: head, created: now, updated: now,
	}
	r.nextNumber++
	r.addPull(p)
	r.open++
	evs := []event{s.pullEvent(r, p, "opened", o.Author, nil)}
	s.mu.Unlock()
	s.post(evs, true)
	return p.number, nil
}

// PullRequest returns the state of a pull request.
func (s *Sim) PullRequest(owner, repoName string, number int) (PRState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		return PRState{}, err
	}
	return PRState{Merged: p.merged, MergeCommitSHA: p.mergeCommitSHA, HeadSHA: p.headSHA, State: p.state}, nil
}

// SetDraft marks a pull request draft or ready; ready emits
// pull_request ready_for_review, draft converted_to_draft.
func (s *Sim) SetDraft(owner, repoName string, number int, draft bool) error {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	p.draft = draft
	action := "ready_for_review"
	if draft {
		action = "converted_to_draft"
	}
	evs := []event{s.pullEvent(r, p, action, p.author, nil)}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// ClosePR closes a pull request without merging (pull_request closed).
func (s *Sim) ClosePR(owner, repoName string, number int, user string) error {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	if p.state == "open" {
		r.open--
	}
	p.state, p.closed, p.updated = "closed", s.clock(), s.clock()
	evs := []event{s.pullEvent(r, p, "closed", user, nil)}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// ReopenPR reopens a closed, unmerged pull request (pull_request
// reopened).
func (s *Sim) ReopenPR(owner, repoName string, number int, user string) error {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err == nil && (p.state == "open" || p.merged) {
		err = fmt.Errorf("reopen %s/%s#%d (state %s, merged %v): %w", owner, repoName, number, p.state, p.merged, ErrInvalid)
	}
	if err != nil {
		s.mu.Unlock()
		return err
	}
	p.state, p.closed, p.updated = "open", time.Time{}, s.clock()
	// Pushes to the head branch while the pull request was closed send no
	// synchronize; reopening picks up the branch's current commit, as
	// GitHub does, and the reopened event names it.
	if sha, ok := r.branches[p.headRef]; ok {
		p.headSHA = sha
	}
	r.open++
	evs := []event{s.pullEvent(r, p, "reopened", user, nil)}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// ChangeBase retargets an open pull request to another branch
// (pull_request edited, with changes.base.ref.from), as a person editing
// the PR does.
func (s *Sim) ChangeBase(owner, repoName string, number int, base, user string) error {
	s.mu.Lock()
	r, p, err := s.findPull(owner, repoName, number)
	if err == nil {
		if _, ok := r.branches[base]; !ok || base == p.headRef || p.state != "open" {
			err = fmt.Errorf("change base of %s/%s#%d to %q: %w", owner, repoName, number, base, ErrInvalid)
		}
	}
	if err != nil {
		s.mu.Unlock()
		return err
	}
	from := p.baseRef
	p.baseRef, p.updated = base, s.clock()
	p.timeline = append(p.timeline, timelineEvent{id: s.id(), event: "base_ref_changed", actor: user, at: p.updated})
	evs := []event{s.pullEvent(r, p, "edited", user, map[string]any{
		"changes": map[string]any{"base": map[string]any{
			"ref": map[string]string{"from": from}, "sha": map[string]string{"from": r.branches[from]},
		}},
	})}
	s.mu.Unlock()
	s.post(evs, true)
	return nil
}

// findPull looks a pull request up. Callers hold s.mu.
func (s *Sim) findPull(owner, repoName string, number int) (*repo, *pull, error) {
	r := s.repo(owner, repoName)
	if r == nil {
		return nil, nil, fmt.Errorf("repo %s/%s: %w", owner, repoName, ErrNotFound)
	}
	p := r.pulls[number]
	if p == nil {
		return nil, nil, fmt.Errorf("pull %s/%s#%d: %w", owner, repoName, number, ErrNotFound)
	}
	return r, p, nil
}

// pullEvent builds a pull_request webhook. Callers hold s.mu.
func (s *Sim) pullEvent(r *repo, p *pull, action, sender string, extra map[string]any) event {
	f := map[string]any{"action": action, "number": p.number, "pull_request": s.pullObject(r, p)}
	maps.Copy(f, extra)
	return s.event("pull_request", r, sender, f)
}

// changes lists the files a pull request changes: head against the merge
// base with its base branch.
func (r *repo) changes(p *pull) []fileChange {
	return r.diff(r.mergeBase(r.branchOr(p), p.headSHA), p.headSHA)
}

// branchOr is the base branch's head, or, for a merged pull request, the
// parent the merge commit was made on.
func (r *repo) branchOr(p *pull) string {
	if p.merged {
		if c := r.commits[p.mergeCommitSHA]; c != nil && len(c.parents) > 0 {
			return c.parents[0]
		}
	}
	return r.branches[p.baseRef]
}

// conflicts reports whether head's changes clash with the base branch.
func (r *repo) conflicts(p *pull) bool {
	_, clean := r.mergedTree(p)
	return !clean
}

// mergedTree is the tree of the pull request's head merged onto the tip
// of its base branch, three-way from their merge base; clean is false
// when the two sides change the same file differently.
func (r *repo) mergedTree(p *pull) (tree map[string]string, clean bool) {
	baseSHA := r.branches[p.baseRef]
	mb := r.mergeBase(baseSHA, p.headSHA)
	var mbTree map[string]string
	if c := r.commits[mb]; c != nil {
		mbTree = c.tree
	}
	return threeWay(mbTree, r.commits[p.headSHA].tree, r.commits[baseSHA].tree)
}

// mergeableState is GitHub's mergeable_state for an open pull request.
func (s *Sim) mergeableState(r *repo, p *pull) (mergeable any, state string) {
	switch {
	case p.merged || p.state == "closed":
		return nil, "unknown"
	case r.conflicts(p):
		return false, "dirty"
	case p.draft:
		return true, "draft"
	case !s.requiredChecksPass(r, p.baseRef, p.headSHA):
		return true, "blocked"
	}
	return true, "clean"
}

// pullObject is GitHub's pull-request. Its members are listed sorted by
// key (see object).
func (s *Sim) pullObject(r *repo, p *pull) object {
	repoURL := s.api() + "/repos/" + r.fullName()
	num := strconv.Itoa(p.number)
	u := repoURL + "/pulls/" + num
	html := s.base + "/" + r.fullName() + "/pull/" + num
	issue := repoURL + "/issues/" + num
	statuses := repoURL + "/statuses/" + p.headSHA
	reviewComment := repoURL + "/pulls/comments{/number}"
	mergeable, mstate := s.mergeableState(r, p)
	ch := r.changes(p)
	adds, dels := 0, 0
	for _, f := range ch {
		adds += f.additions
		dels += f.deletions
	}
	labels := []map[string]any{}
	for _, l := range p.labels {
		labels = append(labels, labelObject(s, r, l))
	}
	var mergedBy any
	if p.mergedBy != "" {
		mergedBy = s.userJSON(p.mergedBy)
	}
	var mcs any
	if p.mergeCommitSHA != "" {
		mcs = p.mergeCommitSHA
	}
	// In the order the users were first met before (ids are assigned on
	// first sight).
	repoObj := s.repositoryJSON(r)
	author := s.userJSON(p.author)
	teams := s.requestedTeamObjects(p)
	owner := s.userJSON(r.owner)
	ref := func(branch, sha string) object {
		return object{{"label", r.owner + ":" + branch}, {"ref", branch}, {"repo", repoObj}, {"sha", sha}, {"user", owner}}
	}
	href := func(url string) object { return object{{"href", url}} }
	return object{
		{"_links", object{
			{"comments", href(issue + "/comments")}, {"commits", href(u + "/commits")},
			{"html", href(html)}, {"issue", href(issue)}, {"review_comment", href(reviewComment)},
			{"review_comments", href(u + "/comments")}, {"self", href(u)}, {"statuses", href(statuses)},
		}},
		{"active_lock_reason", nil}, {"additions", adds}, {"assignee", nil}, {"assignees", []any{}},
		{"author_association", "MEMBER"}, {"auto_merge", nil},
		{"base", ref(p.baseRef, r.branches[p.baseRef])},
		{"body", nilIfEmpty(p.body)}, {"changed_files", len(ch)}, {"closed_at", tsOrNil(p.closed)},
		{"comments", len(r.comments[p.number])}, {"comments_url", issue + "/comments"},
		{"commits", r.commitCount(p)}, {"commits_url", u + "/commits"},
		{"created_at", ts(p.created)}, {"deletions", dels},
		{"diff_url", html + ".diff"}, {"draft", p.draft},
		{"head", ref(p.headRef, p.headSHA)}, {"html_url", html}, {"id", p.id}, {"issue_url", issue},
		{"labels", labels}, {"locked", false}, {"maintainer_can_modify", false},
		{"merge_commit_sha", mcs}, {"mergeable", mergeable}, {"mergeable_state", mstate},
		{"merged", p.merged}, {"merged_at", tsOrNil(p.mergedAt)}, {"merged_by", mergedBy},
		{"milestone", nil}, {"node_id", nodeID("PR", p.id)}, {"number", p.number},
		{"patch_url", html + ".patch"}, {"rebaseable", mergeable},
		{"requested_reviewers", []any{}}, {"requested_teams", teams},
		{"review_comment_url", reviewComment}, {"review_comments", 0},
		{"review_comments_url", u + "/comments"}, {"state", p.state},
		{"statuses_url", statuses}, {"title", p.title}, {"updated_at", ts(p.updated)},
		{"url", u}, {"user", author},
	}
}

// commitCount counts the commits on head not on the base branch.
func (r *repo) commitCount(p *pull) int {
	inBase := r.ancestors(r.branchOr(p))
	n := 0
	for sha := range r.ancestors(p.headSHA) {
		if !inBase[sha] {
			n++
		}
	}
	return n
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Sim) pullRoutes() {
	s.handle("GET /repos/{owner}/{repo}/pulls", authToken, s.listPulls)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}", authToken, s.getPull)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", authToken, s.listPullFiles)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", authToken, s.listPullCommits)
	s.handle("GET /repos/{owner}/{repo}/pulls/{pull_number}/merge", authToken, s.checkMerged)
	s.handle("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", authToken, s.mergePull)
	s.handle("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", authToken, s.commitPulls)
}

// routePull resolves the route's repository and pull request.
func (s *Sim) routePull(q *request) (*repo, *pull, *response) {
	return s.routeNumber(q, "pull_number")
}

// routeNumber resolves the route's repository and the pull request whose
// number is the path parameter param; 404 when either is not there.
func (s *Sim) routeNumber(q *request, param string) (*repo, *pull, *response) {
	r, e := s.visibleRepo(q)
	if e != nil {
		return nil, nil, e
	}
	n, err := strconv.Atoi(q.path(param))
	if err != nil || r.pulls[n] == nil {
		resp := notFound()
		return nil, nil, &resp
	}
	return r, r.pulls[n], nil
}

func (s *Sim) listPulls(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	state := q.query("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		return invalid("PullRequest", "state", "invalid", "state must be open, closed or all")
	}
	base, head := q.query("base"), q.query("head")
	var all []*pull
	nums := sortedKeys(r.pulls)
	if q.query("direction") != "asc" {
		slices.Reverse(nums)
	}
	for _, n := range nums {
		p := r.pulls[n]
		if (state != "all" && p.state != state) || (base != "" && p.baseRef != base) {
			continue
		}
		if head != "" {
			_, branch, _ := strings.Cut(head, ":")
			if branch != p.headRef {
				continue
			}
		}
		all = append(all, p)
	}
	resp := response{status: http.StatusOK}
	// Only the page's pull requests are rendered: a sweep pages through
	// every open one, and rendering all on each page made it quadratic.
	resp.body = pageMap(q, all, &resp, func(p *pull) object { return s.pullObject(r, p) })
	return resp
}

func (s *Sim) getPull(q *request) response {
	r, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	return ok(s.pullObject(r, p))
}

// fileObject is GitHub's diff-entry.
func (s *Sim) fileObject(r *repo, sha string, f fileChange) map[string]any {
	blob := blobSHA(f.after)
	if f.status == "removed" {
		blob = blobSHA(f.before)
	}
	return map[string]any{
		"sha": blob, "filename": f.path, "status": f.status,
		"additions": f.additions, "deletions": f.deletions, "changes": f.additions + f.deletions,
		"blob_url":     s.base + "/" + r.fullName() + "/blob/" + sha + "/" + f.path,
		"raw_url":      s.base + "/" + r.fullName() + "/raw/" + sha + "/" + f.path,
		"contents_url": s.api() + "/repos/" + r.fullName() + "/contents/" + f.path + "?ref=" + sha,
		"patch":        f.patch(),
	}
}

func (s *Sim) listPullFiles(q *request) response {
	r, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	ch := r.changes(p)
	if len(ch) > maxPRFiles {
		// GitHub lists at most 3,000 files and silently drops the rest.
		ch = ch[:maxPRFiles]
	}
	resp := response{status: http.StatusOK}
	out := pageMap(q, ch, &resp, func(f fileChange) map[string]any { return s.fileObject(r, p.headSHA, f) })
	resp.body = out
	return resp
}

func (s *Sim) checkMerged(q *request) response {
	_, p, e := s.routePull(q)
	if e != nil {
		return *e
	}
	if p.merged {
		return noContent()
	}
	return response{status: http.StatusNotFound}
}

func (s *Sim) commitPulls(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	c := r.resolve(q.path("commit_sha"))
	if c == nil {
		return unprocessable("No commit found for SHA: " + q.path("commit_sha"))
	}
	var all []object
	for _, n := range sortedKeys(r.pulls) {
		p := r.pulls[n]
		if p.headSHA == c.sha || p.mergeCommitSHA == c.sha || (p.state == "open" && r.ancestors(p.headSHA)[c.sha] && !r.ancestors(r.branches[p.baseRef])[c.sha]) {
			all = append(all, s.pullObject(r, p))
		}
	}
	resp := response{status: http.StatusOK}
	resp.body = pageOf(q, all, &resp)
	return resp
}
