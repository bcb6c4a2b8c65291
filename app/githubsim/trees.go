package githubsim

import (
	"fmt"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"
)

// defaultTreeLimit is how many entries GitHub returns in a recursive tree
// before it sets truncated (100,000 entries, or 7 MB).
const defaultTreeLimit = 100000

// SetTreeLimit makes GET .../git/trees answer at most n entries, with
// truncated set when there are more (0 restores GitHub's limit): tests of
// what a reader does with an incomplete file list.
func (s *Sim) SetTreeLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.treeLimit = n
}

func (s *Sim) treeRoutes() {
	s.handle("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", authToken, s.getTree)
}

// getTree is GET .../git/trees/{tree_sha}: the tree of a commit (by its
// SHA, its tree's SHA, or a branch or tag name). With the recursive
// parameter present (any value, as GitHub reads it) every blob and
// subtree below it, otherwise only the top level.
func (s *Sim) getTree(q *request) response {
	r, e := s.visibleRepo(q)
	if e != nil {
		return *e
	}
	ref := q.path("tree_sha")
	c := r.resolve(ref)
	if c == nil {
		for _, cc := range r.commits {
			if treeSHA(cc.tree) == ref {
				c = cc
				break
			}
		}
	}
	if c == nil {
		return notFound()
	}
	_, recursive := q.r.URL.Query()["recursive"]
	dirs := map[string]bool{}
	var entries []map[string]any
	u := s.api() + "/repos/" + r.fullName()
	for _, p := range slices.Sorted(maps.Keys(c.tree)) {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
		if !recursive && strings.Contains(p, "/") {
			continue
		}
		sha := blobSHA(c.tree[p])
		entries = append(entries, map[string]any{"path": p, "mode": "100644", "type": "blob", "sha": sha, "size": len(c.tree[p]), "url": u + "/git/blobs/" + sha})
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if !recursive && strings.Contains(d, "/") {
			continue
		}
		sha := fmt.Sprintf("%040x", len(d)) // a stand-in: subtrees are not addressable here
		entries = append(entries, map[string]any{"path": d, "mode": "040000", "type": "tree", "sha": sha, "url": u + "/git/trees/" + sha})
	}
	slices.SortFunc(entries, func(a, b map[string]any) int { return strings.Compare(a["path"].(string), b["path"].(string)) })
	limit := s.treeLimit
	if limit <= 0 {
		limit = defaultTreeLimit
	}
	truncated := len(entries) > limit
	if truncated {
		entries = entries[:limit]
	}
	sha := treeSHA(c.tree)
	return response{status: http.StatusOK, body: map[string]any{"sha": sha, "url": u + "/git/trees/" + sha, "tree": nonNil(entries), "truncated": truncated}}
}
