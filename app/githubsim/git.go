package githubsim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// commit is one commit: a full snapshot of the tree (path -> content).
type commit struct {
	sha     string
	tree    map[string]string
	parents []string
	message string
	author  string
	date    time.Time
}

// blobSHA is git's object id of a file's content.
func blobSHA(content string) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write([]byte(content))
	return hex.EncodeToString(h.Sum(nil))
}

// treeSHA is a stable digest of a tree (not git's real tree hash, but
// unique per content).
func treeSHA(tree map[string]string) string {
	h := sha1.New()
	for _, p := range slices.Sorted(maps.Keys(tree)) {
		fmt.Fprintf(h, "%s\x00%s\n", p, blobSHA(tree[p]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// newCommit builds a commit on parents with a unique sha. Callers hold s.mu.
func (s *Sim) newCommit(tree map[string]string, parents []string, message, author string) *commit {
	c := &commit{tree: tree, parents: parents, message: message, author: author, date: s.clock()}
	h := sha1.New()
	fmt.Fprintf(h, "tree %s\nparents %s\nauthor %s %d\nseq %d\n\n%s",
		treeSHA(tree), strings.Join(parents, " "), author, c.date.Unix(), s.id(), message)
	c.sha = hex.EncodeToString(h.Sum(nil))
	return c
}

// ancestors returns every commit reachable from sha, sha included.
func (r *repo) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[cur] || r.commits[cur] == nil {
			continue
		}
		seen[cur] = true
		stack = append(stack, r.commits[cur].parents...)
	}
	return seen
}

// mergeBase returns the nearest common ancestor of a and b (breadth first
// from b), or "" when they share no history. Commits never change, so the
// answer is memoized.
func (r *repo) mergeBase(a, b string) string {
	k := a + ".." + b
	if mb, ok := r.memoBase[k]; ok {
		return mb
	}
	mb := r.findMergeBase(a, b)
	r.memoBase[k] = mb
	return mb
}

// diff returns the changes from commit a to commit b ("" is the empty
// tree), memoized like mergeBase.
func (r *repo) diff(a, b string) []fileChange {
	k := a + ".." + b
	if d, ok := r.memoDiff[k]; ok {
		return d
	}
	var at, bt map[string]string
	if c := r.commits[a]; c != nil {
		at = c.tree
	}
	if c := r.commits[b]; c != nil {
		bt = c.tree
	}
	d := diffTrees(at, bt)
	r.memoDiff[k] = d
	return d
}

func (r *repo) findMergeBase(a, b string) string {
	inA := r.ancestors(a)
	seen := map[string]bool{}
	queue := []string{b}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if seen[cur] || r.commits[cur] == nil {
			continue
		}
		seen[cur] = true
		if inA[cur] {
			return cur
		}
		queue = append(queue, r.commits[cur].parents...)
	}
	return ""
}

// fileChange is one changed path between two trees.
type fileChange struct {
	path      string
	status    string // added, removed, modified
	before    string
	after     string
	additions int
	deletions int
}

// diffTrees lists the paths that differ from a to b, sorted by path.
func diffTrees(a, b map[string]string) []fileChange {
	var out []fileChange
	for p, after := range b {
		before, ok := a[p]
		switch {
		case !ok:
			out = append(out, fileChange{path: p, status: "added", after: after, additions: lines(after)})
		case before != after:
			add, del := lineDiff(before, after)
			out = append(out, fileChange{path: p, status: "modified", before: before, after: after, additions: add, deletions: del})
		}
	}
	for p, before := range a {
		if _, ok := b[p]; !ok {
			out = append(out, fileChange{path: p, status: "removed", before: before, deletions: lines(before)})
		}
	}
	slices.SortFunc(out, func(x, y fileChange) int { return strings.Compare(x.path, y.path) })
	return out
}

func lines(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(s, "\n"), "\n") + 1
}

// lineDiff counts added and removed lines as multisets: not a real diff,
// close enough for additions/deletions counters.
func lineDiff(before, after string) (add, del int) {
	count := map[string]int{}
	for _, l := range strings.Split(before, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(after, "\n") {
		if count[l] > 0 {
			count[l]--
			continue
		}
		add++
	}
	for _, n := range count {
		del += n
	}
	return add, del
}

// patch renders a minimal unified diff of one change.
func (f fileChange) patch() string {
	var b strings.Builder
	bl, al := splitLines(f.before), splitLines(f.after)
	fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@", min(1, len(bl)), len(bl), min(1, len(al)), len(al))
	for _, l := range bl {
		b.WriteString("\n-" + l)
	}
	for _, l := range al {
		b.WriteString("\n+" + l)
	}
	return b.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// threeWay applies the changes from base to head onto onto; ok is false
// when a path changed differently on both sides (a conflict).
func threeWay(base, head, onto map[string]string) (map[string]string, bool) {
	out := maps.Clone(onto)
	for _, ch := range diffTrees(base, head) {
		cur, exists := onto[ch.path]
		baseContent, inBase := base[ch.path]
		ontoChanged := exists != inBase || cur != baseContent
		if ontoChanged {
			sameResult := (ch.status == "removed" && !exists) || (ch.status != "removed" && exists && cur == ch.after)
			if !sameResult {
				return nil, false
			}
			continue
		}
		if ch.status == "removed" {
			delete(out, ch.path)
		} else {
			out[ch.path] = ch.after
		}
	}
	return out, true
}
