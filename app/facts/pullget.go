package facts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/google/go-github/v62/github"
)

// getPull reads one pull request. It decodes only the fields zgate reads
// ([pullFacts]) instead of go-github's whole PullRequest (a 14.5 KB body
// with three embedded repositories), and, with a cache, does not decode
// at all when the body is byte for byte one it decoded before: most
// evaluations get the pull request from the ETag cache after a 304.
//
// The returned PullRequest carries only those fields; it is the caller's
// own (built afresh from the cached facts on every call).
func getPull(ctx context.Context, gh *github.Client, cache *PullCache, owner, repo string, number int) (*github.PullRequest, error) {
	u := fmt.Sprintf("repos/%v/%v/pulls/%d", owner, repo, number)
	req, err := gh.NewRequest("GET", u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := gh.BareDo(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// Sized from Content-Length (bounded), not grown by doubling: the
	// answer is read on every evaluation.
	buf := bytes.NewBuffer(make([]byte, 0, min(max(resp.ContentLength, 0), 1<<20)+bytes.MinRead))
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	body := buf.Bytes()
	key := req.URL.String()
	sum := sha256.Sum256(body)
	if pf, ok := cache.get(key, resp.Header.Get("ETag"), sum); ok {
		return pf.pullRequest(), nil
	}
	var pf pullFacts
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&pf); err != nil {
		return nil, fmt.Errorf("decode the pull request: %w", err)
	}
	cache.put(key, resp.Header.Get("ETag"), sum, &pf)
	return pf.pullRequest(), nil
}

// pullFacts are the fields of a pull request zgate reads (gather, pushes,
// trust, report names, the engine's open/merged checks). A field added to
// what reads Result.PR must be added here too.
type pullFacts struct {
	Number         int        `json:"number"`
	State          string     `json:"state"`
	Draft          bool       `json:"draft"`
	Merged         bool       `json:"merged"`
	MergeCommitSHA string     `json:"merge_commit_sha"`
	MergedBy       *userFacts `json:"merged_by"`
	User           *userFacts `json:"user"`
	Labels         []struct {
		Name string `json:"name"`
	} `json:"labels"`
	Head         branchFacts `json:"head"`
	Base         branchFacts `json:"base"`
	ChangedFiles *int        `json:"changed_files"`
	Commits      *int        `json:"commits"`
}

type userFacts struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type"`
}

type branchFacts struct {
	Ref  string `json:"ref"`
	SHA  string `json:"sha"`
	Repo *struct {
		ID            int64     `json:"id"`
		Name          string    `json:"name"`
		FullName      string    `json:"full_name"`
		DefaultBranch string    `json:"default_branch"`
		Owner         userFacts `json:"owner"`
	} `json:"repo"`
}

// pullRequest builds a fresh go-github PullRequest holding pf's fields.
func (pf *pullFacts) pullRequest() *github.PullRequest {
	pr := &github.PullRequest{
		Number:         github.Int(pf.Number),
		State:          github.String(pf.State),
		Draft:          github.Bool(pf.Draft),
		Merged:         github.Bool(pf.Merged),
		MergeCommitSHA: github.String(pf.MergeCommitSHA),
		MergedBy:       pf.MergedBy.user(),
		User:           pf.User.user(),
		Head:           pf.Head.branch(),
		Base:           pf.Base.branch(),
	}
	if pf.ChangedFiles != nil {
		pr.ChangedFiles = github.Int(*pf.ChangedFiles)
	}
	if pf.Commits != nil {
		pr.Commits = github.Int(*pf.Commits)
	}
	for _, l := range pf.Labels {
		pr.Labels = append(pr.Labels, &github.Label{Name: github.String(l.Name)})
	}
	return pr
}

func (u *userFacts) user() *github.User {
	if u == nil {
		return nil
	}
	return &github.User{Login: github.String(u.Login), ID: github.Int64(u.ID), Type: github.String(u.Type)}
}

func (b branchFacts) branch() *github.PullRequestBranch {
	out := &github.PullRequestBranch{Ref: github.String(b.Ref), SHA: github.String(b.SHA)}
	if r := b.Repo; r != nil {
		out.Repo = &github.Repository{
			ID:            github.Int64(r.ID),
			Name:          github.String(r.Name),
			FullName:      github.String(r.FullName),
			DefaultBranch: github.String(r.DefaultBranch),
			Owner:         r.Owner.user(),
		}
	}
	return out
}

// PullCache keeps the decoded facts of the latest answer per pull request
// URL, so that an unchanged pull request (a 304 answered from the ETag
// cache) is not decoded again on every evaluation. An entry is used only
// for an answer with the same ETag and the same bytes (SHA-256 of the
// body): decoding is a function of the bytes, so a hit gives exactly what
// decoding would, and a changed pull request (new ETag, new body) is
// decoded afresh and replaces the entry. Safe for concurrent use; a nil
// *PullCache caches nothing.
type PullCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]pullEntry
}

type pullEntry struct {
	etag string
	sum  [sha256.Size]byte
	pf   *pullFacts
}

// DefaultPullCacheEntries bounds a [PullCache]: about 1 KB an entry, one
// per open pull request evaluated.
const DefaultPullCacheEntries = 8192

// NewPullCache returns a cache of at most max pull requests
// ([DefaultPullCacheEntries] when max <= 0).
func NewPullCache(max int) *PullCache {
	if max <= 0 {
		max = DefaultPullCacheEntries
	}
	return &PullCache{max: max, entries: map[string]pullEntry{}}
}

func (c *PullCache) get(key, etag string, sum [sha256.Size]byte) (*pullFacts, bool) {
	if c == nil || etag == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.etag != etag || e.sum != sum {
		return nil, false
	}
	return e.pf, true
}

func (c *PullCache) put(key, etag string, sum [sha256.Size]byte, pf *pullFacts) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if etag == "" {
		delete(c.entries, key)
		return
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.max {
		for k := range c.entries { // evict one at random: closed pull requests age out
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = pullEntry{etag: etag, sum: sum, pf: pf}
}

// Len returns the number of pull requests cached.
func (c *PullCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
