package githubsim

import (
	"fmt"
	"net/http"
	"strings"
)

// lookupRef returns the sha a full ref name ("refs/heads/main",
// "refs/tags/v1", "refs/zgate/...") points at. Callers hold s.mu.
func (r *repo) lookupRef(full string) (string, bool) {
	if b, ok := strings.CutPrefix(full, "refs/heads/"); ok {
		sha, ok := r.branches[b]
		return sha, ok
	}
	sha, ok := r.refs[full]
	return sha, ok
}

// refConflict reports whether full cannot coexist with an existing ref:
// it exists, or one is a directory of the other ("refs/x/a" and
// "refs/x/a/b"), which git cannot store. Callers hold s.mu.
func (r *repo) refConflict(full string) (exists, dirFile bool) {
	if _, ok := r.lookupRef(full); ok {
		return true, false
	}
	all := make([]string, 0, len(r.branches)+len(r.refs))
	for b := range r.branches {
		all = append(all, "refs/heads/"+b)
	}
	for k := range r.refs {
		all = append(all, k)
	}
	for _, k := range all {
		if strings.HasPrefix(k, full+"/") || strings.HasPrefix(full, k+"/") {
			return false, true
		}
	}
	return false, false
}

// validRefName is a simplified git check-ref-format: "refs/" and at least
// one more slash, no empty, dot-led or ".lock" component, none of git's
// forbidden characters.
func validRefName(full string) bool {
	if !strings.HasPrefix(full, "refs/") || strings.Count(full, "/") < 2 || strings.HasSuffix(full, ".") ||
		strings.Contains(full, "..") || strings.Contains(full, "@{") {
		return false
	}
	for _, c := range strings.Split(full, "/") {
		if c == "" || strings.HasPrefix(c, ".") || strings.HasSuffix(c, ".lock") {
			return false
		}
	}
	for _, ch := range full {
		if ch < 0x20 || ch == 0x7f || strings.ContainsRune(" ~^:?*[\\", ch) {
			return false
		}
	}
	return true
}

// CreateTag points the lightweight tag refs/tags/<name> at the commit ref
// names (a sha or a branch), as `git push origin <sha>:refs/tags/<name>`
// would. A tag may share its name with a branch: git, and GitHub's ref
// parameters, then resolve the bare name to the tag. No webhook is sent.
func (s *Sim) CreateTag(owner, repoName, name, ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return fmt.Errorf("tag %s in %s/%s: %w", name, owner, repoName, ErrNotFound)
	}
	c := r.resolve(ref)
	if c == nil {
		return fmt.Errorf("tag %s at %s in %s/%s: %w", name, ref, owner, repoName, ErrNotFound)
	}
	full := "refs/tags/" + name
	if !validRefName(full) {
		return fmt.Errorf("tag name %q: %w", name, ErrInvalid)
	}
	if exists, df := r.refConflict(full); exists || df {
		return fmt.Errorf("tag %s in %s/%s: %w", name, owner, repoName, ErrExists)
	}
	r.setRef(full, c.sha)
	return nil
}

// Ref returns the sha the full ref name points at ("refs/heads/main",
// "refs/zgate/..."), "" when there is no such ref.
func (s *Sim) Ref(owner, repoName, full string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return ""
	}
	sha, _ := r.lookupRef(full)
	return sha
}

// Refs returns the full names of the refs (branches excluded) that start
// with prefix, sorted.
func (s *Sim) Refs(owner, repoName, prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(owner, repoName)
	if r == nil {
		return nil
	}
	var out []string
	for _, k := range sortedKeys(r.refs) {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

func (r *repo) setRef(full, sha string) {
	if r.refs == nil {
		r.refs = map[string]string{}
	}
	r.refs[full] = sha
}

func (s *Sim) refRoutes() {
	s.handle("POST /repos/{owner}/{repo}/git/refs", authToken, s.createRef)
	s.handle("GET /repos/{owner}/{repo}/git/ref/{ref...}", authToken, s.getRef)
	s.handle("DELETE /repos/{owner}/{repo}/git/refs/{ref...}", authToken, s.deleteRef)
}

func (s *Sim) refObject(r *repo, full, sha string) map[string]any {
	return map[string]any{
		"ref": full, "node_id": nodeID("REF", int64(len(full))), "url": s.api() + "/repos/" + r.fullName() + "/git/" + full,
		"object": map[string]any{"type": "commit", "sha": sha, "url": s.api() + "/repos/" + r.fullName() + "/git/commits/" + sha},
	}
}

// createRef is GitHub's compare-and-swap on a name: 201 when the ref is
// new, 422 "Reference already exists" when it is not, so of two callers
// racing for one name exactly one gets 201. Branches are made by
// [Sim.Push] in this simulator.
func (s *Sim) createRef(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	var b struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	}
	if bad := q.decode(&b); bad != nil {
		return *bad
	}
	if !validRefName(b.Ref) {
		return unprocessable("Reference name is invalid: it must start with 'refs' and have at least two slashes")
	}
	if strings.HasPrefix(b.Ref, "refs/heads/") {
		return unprocessable("githubsim: create branches with a push, not POST git/refs")
	}
	c := r.commits[b.SHA]
	if c == nil {
		return unprocessable("Object does not exist")
	}
	exists, df := r.refConflict(b.Ref)
	switch {
	case exists:
		return unprocessable("Reference already exists")
	case df:
		return unprocessable("Reference cannot be created: it conflicts with an existing reference")
	}
	r.setRef(b.Ref, c.sha)
	return created(s.refObject(r, b.Ref, c.sha))
}

func (s *Sim) getRef(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	full := "refs/" + q.path("ref")
	sha, found := r.lookupRef(full)
	if !found {
		return notFound()
	}
	return ok(s.refObject(r, full, sha))
}

func (s *Sim) deleteRef(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	full := "refs/" + q.path("ref")
	if strings.HasPrefix(full, "refs/heads/") {
		return unprocessable("githubsim: branches cannot be deleted through git/refs")
	}
	if _, found := r.refs[full]; !found {
		return apiError(http.StatusUnprocessableEntity, "Reference does not exist")
	}
	delete(r.refs, full)
	return noContent()
}
