package githubsim

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

// repo is one repository's state.
type repo struct {
	id            int64
	owner, name   string
	defaultBranch string
	created       time.Time
	pushed        time.Time
	commits       map[string]*commit
	branches      map[string]string // name -> head sha
	refs          map[string]string // other refs ("refs/tags/v1", "refs/zgate/...") -> sha
	pulls         map[int]*pull
	nextNumber    int
	comments      map[int][]*issueComment
	checkRuns     []*checkRun
	suites        []*checkSuite
	statuses      []*status
	required      map[string][]string // branch -> required check contexts
	source        map[string]string   // branch + "\x00" + context -> the creator it requires
	dispatches    []Dispatch
	runs          []*workflowRun
	attestations  map[string][]attestation // subject digest -> bundles
	open          int                      // open pull requests
	memoBase      map[string]string        // "a..b" -> merge base
	memoDiff      map[string][]fileChange  // "a..b" -> changes
	json          encodedJSON              // cached repositoryJSON
	jsonKey       repoJSONKey
	jsonValid     bool
	idx           repoIndex
	mergeQueue    map[string]bool          // branch -> requires a merge queue
	queues        map[string][]*queueEntry // branch -> its merge queue, front first
}

func (r *repo) fullName() string { return r.owner + "/" + r.name }

// resolve turns a ref or a commit sha (full or at least 7 hex digits)
// into a commit, as git rev-parse does (gitrevisions(7)): a name is
// looked up as refs/<name>, then refs/tags/<name>, then refs/heads/<name>,
// so a tag shadows a branch of the same name; "heads/<b>" and
// "refs/heads/<b>" name only the branch.
func (r *repo) resolve(ref string) *commit {
	if ref == "" {
		return nil
	}
	if len(ref) == 40 {
		if c, ok := r.commits[ref]; ok {
			return c
		}
	}
	for _, full := range []string{ref, "refs/" + ref, "refs/tags/" + ref, "refs/heads/" + ref} {
		if sha, ok := r.lookupRef(full); ok {
			return r.commits[sha]
		}
	}
	if c, ok := r.commits[ref]; ok {
		return c
	}
	if len(ref) >= 7 {
		for sha, c := range r.commits {
			if strings.HasPrefix(sha, ref) {
				return c
			}
		}
	}
	return nil
}

// CreateRepo creates owner/name with one commit of files on main and
// installs the App on owner.
func (s *Sim) CreateRepo(owner, name string, files map[string]string) error {
	if owner == "" || name == "" {
		return fmt.Errorf("create repo %q/%q: %w", owner, name, ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repo(owner, name) != nil {
		return fmt.Errorf("create repo %s/%s: %w", owner, name, ErrExists)
	}
	s.ensureInstallation(owner)
	r := &repo{
		id: s.id(), owner: owner, name: name, defaultBranch: "main", created: s.clock(),
		commits: map[string]*commit{}, branches: map[string]string{}, pulls: map[int]*pull{},
		nextNumber: 1, comments: map[int][]*issueComment{}, required: map[string][]string{},
		attestations: map[string][]attestation{}, memoBase: map[string]string{},
		memoDiff: map[string][]fileChange{}, idx: newRepoIndex(),
	}
	c := s.newCommit(maps.Clone(files), nil, "Initial commit", owner)
	r.commits[c.sha] = c
	r.setBranch("main", c.sha)
	r.pushed = c.date
	s.ensureSuite(r, c.sha, "main")
	s.repos[repoKey(owner, name)] = r
	return nil
}

// Push commits files (added or replaced) and deletes paths on branch,
// creating the branch from the default branch when it is new. It emits
// push and, for every open pull request whose head is branch,
// pull_request synchronize. It returns the new head sha.
func (s *Sim) Push(owner, repoName, branch string, files map[string]string, deleted []string, author string) (string, error) {
	s.mu.Lock()
	r := s.repo(owner, repoName)
	if r == nil {
		s.mu.Unlock()
		return "", fmt.Errorf("push to %s/%s: %w", owner, repoName, ErrNotFound)
	}
	if branch == "" {
		s.mu.Unlock()
		return "", fmt.Errorf("push to %s/%s: empty branch: %w", owner, repoName, ErrInvalid)
	}
	before, exists := r.branches[branch]
	parent := before
	if !exists {
		parent = r.branches[r.defaultBranch]
	}
	tree := maps.Clone(r.commits[parent].tree)
	maps.Copy(tree, files)
	for _, p := range deleted {
		delete(tree, p)
	}
	msg := fmt.Sprintf("Update %d file(s), delete %d", len(files), len(deleted))
	c := s.newCommit(tree, []string{parent}, msg, author)
	evs := s.advance(r, branch, c, author, before)
	s.mu.Unlock()
	s.post(evs, true)
	return c.sha, nil
}

// advance moves branch to c and returns the push and synchronize events.
// before is "" for a new branch. Callers hold s.mu.
func (s *Sim) advance(r *repo, branch string, c *commit, sender, before string) []event {
	r.commits[c.sha] = c
	r.setBranch(branch, c.sha)
	r.pushed = c.date
	s.ensureSuite(r, c.sha, branch)
	evs := []event{s.pushEvent(r, branch, before, c, sender)}
	for _, n := range slices.Sorted(maps.Keys(r.pulls)) {
		p := r.pulls[n]
		if p.state == "open" && p.headRef == branch {
			beforeHead := p.headSHA
			r.moveHead(p, c.sha)
			p.updated = c.date
			evs = append(evs, s.pullEvent(r, p, "synchronize", sender, map[string]any{"before": beforeHead, "after": c.sha}))
			evs = append(evs, s.dequeuePushed(r, p)...)
		}
	}
	return evs
}

func (s *Sim) pushEvent(r *repo, branch, before string, c *commit, sender string) event {
	parent := ""
	if len(c.parents) > 0 {
		parent = c.parents[0]
	}
	added, removed, modified := []string{}, []string{}, []string{}
	for _, ch := range r.diff(parent, c.sha) {
		switch ch.status {
		case "added":
			added = append(added, ch.path)
		case "removed":
			removed = append(removed, ch.path)
		default:
			modified = append(modified, ch.path)
		}
	}
	au := gitUserOf(c.author, c.date)
	hc := map[string]any{
		"id": c.sha, "tree_id": treeSHA(c.tree), "distinct": true, "message": c.message,
		"timestamp": ts(c.date), "url": s.base + "/" + r.fullName() + "/commit/" + c.sha,
		"author":    map[string]any{"name": au.Name, "email": au.Email, "username": c.author},
		"committer": map[string]any{"name": au.Name, "email": au.Email, "username": c.author},
		"added":     added, "removed": removed, "modified": modified,
	}
	created := before == ""
	if created {
		before = strings.Repeat("0", 40)
	}
	return s.event("push", r, sender, map[string]any{
		"ref": "refs/heads/" + branch, "before": before, "after": c.sha,
		"created": created, "deleted": false, "forced": false, "base_ref": nil,
		"compare": s.base + "/" + r.fullName() + "/compare/" + before[:12] + "..." + c.sha[:12],
		"commits": []any{hc}, "head_commit": hc,
		"pusher": map[string]any{"name": sender, "email": au.Email},
	})
}

func (s *Sim) repoRoutes() {
	s.handle("GET /repos/{owner}/{repo}", authUser, s.getRepo)
	s.handle("GET /repos/{owner}/{repo}/branches/{branch...}", authToken, s.getBranch)
	s.handle("GET /repos/{owner}/{repo}/contents/{path...}", authToken, s.getContents)
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}", authToken, s.getCommit)
	s.handle("GET /installation/repositories", authToken, s.listInstallationRepos)
}

// listInstallationRepos lists the repositories the token's installation
// can access, by full name, wrapped as GitHub does ({"total_count",
// "repository_selection", "repositories"}) and paged.
func (s *Sim) listInstallationRepos(q *request) response {
	var all []*repo
	for _, k := range sortedKeys(s.repos) {
		if r := s.repos[k]; q.canSee(r.owner) {
			all = append(all, r)
		}
	}
	resp := response{status: http.StatusOK}
	objs := pageMap(q, all, &resp, s.repositoryJSON)
	resp.body = map[string]any{"total_count": len(all), "repository_selection": "all", "repositories": objs}
	return resp
}

// visibleRepo returns the route's repository when the caller's
// installation covers it; GitHub answers 404 either way.
func (s *Sim) visibleRepo(q *request) (*repo, *response) {
	r := s.repo(q.path("owner"), q.path("repo"))
	if r == nil || !s.visibleTo(q, r) {
		resp := notFound()
		return nil, &resp
	}
	return r, nil
}

func (s *Sim) getRepo(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	full := s.repository(r)
	// Only full-repository (this route) has these two.
	full["network_count"], full["subscribers_count"] = 0, 0
	return ok(full)
}

func (s *Sim) getBranch(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	name := q.path("branch")
	sha, found := r.branches[name]
	if !found {
		return apiError(http.StatusNotFound, "Branch not found")
	}
	u := s.api() + "/repos/" + r.fullName() + "/branches/" + name
	required := r.required[name]
	checks := []map[string]any{}
	for _, c := range required {
		checks = append(checks, map[string]any{"context": c, "app_id": nil})
	}
	return ok(map[string]any{
		"name": name, "commit": s.commitObject(r, r.commits[sha]),
		"_links":    map[string]string{"self": u, "html": s.base + "/" + r.fullName() + "/tree/" + name},
		"protected": len(required) > 0,
		"protection": map[string]any{
			"enabled": len(required) > 0,
			"required_status_checks": map[string]any{
				"enforcement_level": map[bool]string{true: "non_admins", false: "off"}[len(required) > 0],
				"contexts":          nonNil(required),
				"checks":            checks,
			},
		},
		"protection_url": u + "/protection",
	})
}

// visibleCommit resolves the request's repository, which the caller must
// see, and its {ref} path parameter (branch or SHA) to a commit.
func (s *Sim) visibleCommit(q *request) (*repo, *commit, *response) {
	r, e := s.visibleRepo(q)
	if e != nil {
		return nil, nil, e
	}
	c := r.resolve(q.path("ref"))
	if c == nil {
		resp := unprocessable("No commit found for SHA: " + q.path("ref"))
		return nil, nil, &resp
	}
	return r, c, nil
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func (s *Sim) getCommit(q *request) response {
	r, c, e := s.visibleCommit(q)
	if e != nil {
		return *e
	}
	obj := s.commitObject(r, c)
	parent := ""
	if len(c.parents) > 0 {
		parent = c.parents[0]
	}
	files := []map[string]any{}
	adds, dels := 0, 0
	for _, f := range r.diff(parent, c.sha) {
		files = append(files, s.fileObject(r, c.sha, f))
		adds += f.additions
		dels += f.deletions
	}
	return ok(struct {
		commitObject
		Stats map[string]int   `json:"stats"`
		Files []map[string]any `json:"files"`
	}{obj, map[string]int{"additions": adds, "deletions": dels, "total": adds + dels}, files})
}

// contentEntry is one item of the contents API.
type contentEntry struct {
	Type        string            `json:"type"`
	Encoding    string            `json:"encoding,omitempty"`
	Size        int               `json:"size"`
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	Content     *string           `json:"content,omitempty"`
	SHA         string            `json:"sha"`
	URL         string            `json:"url"`
	GitURL      any               `json:"git_url"`
	HTMLURL     any               `json:"html_url"`
	DownloadURL any               `json:"download_url"`
	Links       map[string]string `json:"_links"`
}

// wrap60 base64-encodes b in lines of 60 characters, each ending in a
// newline, as GitHub's contents API does.
func wrap60(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(enc) > 60 {
		sb.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	if enc != "" {
		sb.WriteString(enc + "\n")
	}
	return sb.String()
}

func (s *Sim) getContents(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	ref := q.query("ref")
	if ref == "" {
		ref = r.defaultBranch
	}
	c := r.resolve(ref)
	if c == nil {
		return apiError(http.StatusNotFound, "No commit found for the ref "+ref)
	}
	p := strings.Trim(q.path("path"), "/")
	entry := func(fp string, typ string) contentEntry {
		u := s.api() + "/repos/" + r.fullName() + "/contents/" + fp + "?ref=" + ref
		ce := contentEntry{Type: typ, Name: path.Base(fp), Path: fp, URL: u}
		if typ == "file" {
			ce.Size = len(c.tree[fp])
			ce.SHA = blobSHA(c.tree[fp])
			git := s.api() + "/repos/" + r.fullName() + "/git/blobs/" + ce.SHA
			html := s.base + "/" + r.fullName() + "/blob/" + ref + "/" + fp
			ce.GitURL, ce.HTMLURL = git, html
			ce.DownloadURL = s.base + "/raw/" + r.fullName() + "/" + ref + "/" + fp
			ce.Links = map[string]string{"self": u, "git": git, "html": html}
		} else {
			sub := subtree(c.tree, fp)
			ce.SHA = treeSHA(sub)
			git := s.api() + "/repos/" + r.fullName() + "/git/trees/" + ce.SHA
			html := s.base + "/" + r.fullName() + "/tree/" + ref + "/" + fp
			ce.GitURL, ce.HTMLURL = git, html
			ce.Links = map[string]string{"self": u, "git": git, "html": html}
		}
		return ce
	}
	if content, isFile := c.tree[p]; isFile && p != "" {
		ce := entry(p, "file")
		enc := wrap60([]byte(content))
		ce.Content, ce.Encoding = &enc, "base64"
		return ok(ce)
	}
	// A directory: list its direct children.
	children := map[string]string{}
	prefix := p + "/"
	if p == "" {
		prefix = ""
	}
	for fp := range c.tree {
		if !strings.HasPrefix(fp, prefix) {
			continue
		}
		rest := strings.TrimPrefix(fp, prefix)
		if name, _, isDir := strings.Cut(rest, "/"); isDir {
			children[prefix+name] = "dir"
		} else {
			children[fp] = "file"
		}
	}
	if len(children) == 0 {
		return notFound()
	}
	list := []contentEntry{}
	for _, fp := range slices.Sorted(maps.Keys(children)) {
		list = append(list, entry(fp, children[fp]))
	}
	return ok(list)
}

// subtree returns the files under dir, relative to it.
func subtree(tree map[string]string, dir string) map[string]string {
	out := map[string]string{}
	for p, c := range tree {
		if rest, ok := strings.CutPrefix(p, dir+"/"); ok {
			out[rest] = c
		}
	}
	return out
}

// sortedKeys returns a map's keys in order.
func sortedKeys[K int | int64 | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
