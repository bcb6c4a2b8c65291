package facts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	"strconv"
	"sync"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/ghjson"
)

// getPull reads one pull request. It decodes only the fields zgate reads
// ([pullFacts]) instead of go-github's whole PullRequest (a 14.5 KB body
// with three embedded repositories), and, with a cache, does not decode
// at all when the body is byte for byte one it decoded before: most
// evaluations get the pull request from the ETag cache after a 304.
//
// The returned PullRequest carries only those fields; it is the caller's
// own (built afresh from the cached facts on every call).
func getPull(ctx context.Context, gh *github.Client, cache *PullCache, trail *answerTrail, owner, repo string, number int) (*github.PullRequest, error) {
	pf, _, err := getCompact(ctx, gh, cache, trail, fmt.Sprintf("repos/%v/%v/pulls/%d", owner, repo, number), func(pf *pullFacts) (*pullFacts, error) {
		return pf, nil
	})
	if err != nil {
		return nil, err
	}
	return pf.pullRequest(), nil
}

// getCompact GETs u (relative to the API) and decodes the answer into T,
// a type with only the fields zgate reads, then into the R that conv
// makes of it. With a cache, an answer with the ETag and the exact bytes
// of one converted before gives that R without decoding: R must not be
// changed by callers (it is shared). trail, when not nil, records the
// answer's bytes (see [ListMemo]).
func getCompact[T, R any](ctx context.Context, gh *github.Client, cache *PullCache, trail *answerTrail, u string, conv func(*T) (R, error)) (R, *github.Response, error) {
	var zero R
	req, err := gh.NewRequest("GET", u, nil)
	if err != nil {
		return zero, nil, err
	}
	resp, err := gh.BareDo(ctx, req)
	if err != nil {
		return zero, resp, err
	}
	defer resp.Body.Close()
	// Sized from Content-Length (bounded), not grown by doubling: the
	// answer is read on every evaluation.
	buf := bytes.NewBuffer(make([]byte, 0, min(max(resp.ContentLength, 0), 1<<20)+bytes.MinRead))
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return zero, resp, fmt.Errorf("read the answer: %w", err)
	}
	body := buf.Bytes()
	key, etag := req.URL.String(), resp.Header.Get("ETag")
	sum := sha256.Sum256(body)
	trail.add(key, sum)
	if v, ok := cache.get(key, etag, sum); ok {
		if r, ok := v.(R); ok {
			return r, resp, nil
		}
	}
	// ghjson: one validating pass that skips what T does not hold (most of
	// a 14.5 KB pull request), where encoding/json scanned it twice.
	t := new(T)
	if err := ghjson.Unmarshal(body, t); err != nil {
		return zero, resp, fmt.Errorf("decode %s: %w", req.URL.Path, err)
	}
	r, err := conv(t)
	if err != nil {
		return zero, resp, err
	}
	cache.put(key, etag, sum, r)
	return r, resp, nil
}

// pullFacts are the fields of a pull request zgate reads (gather, pushes,
// trust, report names, the engine's open/merged checks). A field added to
// what reads Result.PR must be added here too.
type pullFacts struct {
	Number         int        `json:"number"`
	Title          string     `json:"title"`
	HTMLURL        string     `json:"html_url"`
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
	// UpdatedAt dates the pull request's latest change ([ListMemo]).
	UpdatedAt *github.Timestamp `json:"updated_at"`
	// RequestedTeams are the teams whose review is still requested (all
	// of the repository's organization).
	RequestedTeams []struct {
		Slug string `json:"slug"`
	} `json:"requested_teams"`
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
		Title:          github.String(pf.Title),
		HTMLURL:        github.String(pf.HTMLURL),
		State:          github.String(pf.State),
		Draft:          github.Bool(pf.Draft),
		Merged:         github.Bool(pf.Merged),
		MergeCommitSHA: github.String(pf.MergeCommitSHA),
		MergedBy:       pf.MergedBy.user(),
		User:           pf.User.user(),
		Head:           pf.Head.branch(),
		Base:           pf.Base.branch(),
		UpdatedAt:      pf.UpdatedAt,
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
	for _, t := range pf.RequestedTeams {
		pr.RequestedTeams = append(pr.RequestedTeams, &github.Team{Slug: github.String(t.Slug)})
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

// PullCache keeps the decoded facts of the latest answer per URL of a pull
// request's endpoints (the pull request, each page of its files and
// reviews), so that an unchanged answer (a 304 served from the ETag cache)
// is not decoded again on every evaluation. An entry is used only
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
	// v is what getCompact's conv made of the body.
	v any
}

// DefaultPullCacheEntries bounds a [PullCache]: three entries (pull
// request, files, reviews) per open pull request of 100 files or reviews
// or fewer, about 1 KB each; 4,096 pull requests.
const DefaultPullCacheEntries = 3 * 4096

// NewPullCache returns a cache of at most max pull requests
// ([DefaultPullCacheEntries] when max <= 0).
func NewPullCache(max int) *PullCache {
	if max <= 0 {
		max = DefaultPullCacheEntries
	}
	return &PullCache{max: max, entries: map[string]pullEntry{}}
}

func (c *PullCache) get(key, etag string, sum [sha256.Size]byte) (any, bool) {
	if c == nil || etag == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.etag != etag || e.sum != sum {
		return nil, false
	}
	return e.v, true
}

func (c *PullCache) put(key, etag string, sum [sha256.Size]byte, v any) {
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
	c.entries[key] = pullEntry{etag: etag, sum: sum, v: v}
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

// pageURL is u with opts as go-github encodes them ("page", "per_page").
func pageURL(u string, opts *github.ListOptions) string {
	v := url.Values{}
	if opts.Page != 0 {
		v.Set("page", strconv.Itoa(opts.Page))
	}
	if opts.PerPage != 0 {
		v.Set("per_page", strconv.Itoa(opts.PerPage))
	}
	if len(v) == 0 {
		return u
	}
	return u + "?" + v.Encode()
}

// fileFact is one changed file: its name, the name it had before a
// rename, and the commit GitHub listed it for (the ref of its
// contents_url; "" when there is none).
type fileFact struct{ name, prev, ref string }

// filePage converts one decoded page of a pull request's files.
func filePage(page *[]struct {
	Filename         string `json:"filename"`
	PreviousFilename string `json:"previous_filename"`
	ContentsURL      string `json:"contents_url"`
}) ([]fileFact, error) {
	out := make([]fileFact, 0, len(*page))
	for _, f := range *page {
		ref := ""
		if u, err := url.Parse(f.ContentsURL); err == nil {
			ref = u.Query().Get("ref")
		}
		out = append(out, fileFact{name: f.Filename, prev: f.PreviousFilename, ref: ref})
	}
	return out, nil
}

// reviewFacts is one review as zgate reads it.
type reviewFacts struct {
	ID          int64             `json:"id"`
	User        *userFacts        `json:"user"`
	State       string            `json:"state"`
	CommitID    string            `json:"commit_id"`
	SubmittedAt *github.Timestamp `json:"submitted_at"`
}

// reviewPage keeps a decoded page of reviews as it is.
func reviewPage(page *[]reviewFacts) ([]reviewFacts, error) { return *page, nil }

// commitFacts is one commit of a pull request's list, as zgate reads it.
type commitFacts struct {
	SHA string `json:"sha"`
}

// commitPage keeps a decoded page of commits as it is.
func commitPage(page *[]commitFacts) ([]commitFacts, error) { return *page, nil }
