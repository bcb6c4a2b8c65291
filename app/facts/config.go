package facts

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// ConfigCache keeps the policy and CODEOWNERS of a base branch, parsed,
// per (repository, branch, head commit of the branch). Both files are read
// at that commit, so an entry is never out of date: a push to the branch
// moves its head, and the next evaluation reads (and parses) at the new
// commit. What an evaluation then needs is the branch's head, one
// conditional GET of the ref, whose answer does not embed the repository
// object (as a pull request's does) and so stays 304 until the branch
// moves. It is bounded by an estimate of the memory the parsed files take,
// least recently used first out. Safe for concurrent use.
type ConfigCache struct {
	mu    sync.Mutex
	max   int64
	bytes int64
	order *list.List // front = most recent; values are *configEntry
	byKey map[string]*list.Element
	// gated says, per repository and base branch, whether the policy last
	// loaded there gates anything: a guess, for reading lists before the
	// policy is known (Gatherer.prefetchLists), never for a decision.
	gated map[string]bool
}

// DefaultConfigCacheBytes is the memory budget [NewConfigCache] is given by
// the App: thousands of typical policies, or a handful of 3 MB CODEOWNERS.
const DefaultConfigCacheBytes int64 = 32 << 20

// A parsed file holds about parsedPerSourceByte bytes per byte of its
// source plus parsedPerLine per line (each rule's patterns, owners and
// index slots), and an entry configEntryOverhead besides: measured on
// CODEOWNERS of 1 to 5,000 rules of several shapes and on policies
// (TestConfigCacheChargesParsedFiles), with a margin. An entry used to be
// charged 4 bytes per source byte, which held three to six times that.
const (
	parsedPerSourceByte = 8
	parsedPerLine       = 512
	configEntryOverhead = 16 << 10
)

// parsedSize estimates the memory the parsed form of data holds.
func parsedSize(data []byte) int {
	return len(data)*parsedPerSourceByte + (bytes.Count(data, []byte{'\n'})+1)*parsedPerLine
}

// NewConfigCache returns a cache holding about maxBytes of parsed files.
func NewConfigCache(maxBytes int64) *ConfigCache {
	return &ConfigCache{max: maxBytes, order: list.New(), byKey: map[string]*list.Element{}, gated: map[string]bool{}}
}

// maxGated bounds ConfigCache.gated: one entry per repository and base.
const maxGated = 1 << 16

// wasGated reports whether the policy last loaded for owner/repo@base had
// a policy; false when none was loaded yet or c is nil.
func (c *ConfigCache) wasGated(owner, repo, base string) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gated[owner+"/"+repo+"\x00"+base]
}

// noteGated records whether owner/repo@base has a policy now.
func (c *ConfigCache) noteGated(owner, repo, base string, gated bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.gated) >= maxGated {
		clear(c.gated) // a guess: forgetting costs a round trip, no more
	}
	c.gated[owner+"/"+repo+"\x00"+base] = gated
}

// configEntry is what loading the files at one commit set on a Result.
type configEntry struct {
	key  string
	size int64

	policyFile, policyDigest, policyRef string
	policy                              *policy.Policy
	policyErr                           error
	codeownersFile                      string
	codeownersDigest                    string
	codeowners                          *codeowners.File
	unavailable                         []string
}

func (c *ConfigCache) get(key string) *configEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*configEntry)
}

func (c *ConfigCache) put(e *configEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[e.key]; ok {
		c.bytes -= el.Value.(*configEntry).size
		el.Value = e
		c.order.MoveToFront(el)
	} else {
		c.byKey[e.key] = c.order.PushFront(e)
	}
	c.bytes += e.size
	for c.bytes > c.max && c.order.Len() > 1 {
		old := c.order.Back()
		c.order.Remove(old)
		oe := old.Value.(*configEntry)
		delete(c.byKey, oe.key)
		c.bytes -= oe.size
	}
}

// Len is the number of cached entries.
func (c *ConfigCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// loadConfig sets the policy and CODEOWNERS of res's base branch on res.
// With a [ConfigCache] they are read at the branch's head commit, and
// parsed once per commit; without one, at [BaseRef] on every call. Either
// way nothing but the branch decides: a tag named like it cannot.
func (g *Gatherer) loadConfig(ctx context.Context, gh *github.Client, owner, repo string, res *Result) error {
	if g.Configs == nil {
		return g.readConfig(ctx, gh, owner, repo, BaseRef(res.BaseRef), res, nil)
	}
	sha, err := branchHead(ctx, gh, owner, repo, res.BaseRef)
	if errors.Is(err, errNotFound) {
		// No such branch (deleted under the pull request): as before,
		// reading at the branch says what there is to say.
		return g.readConfig(ctx, gh, owner, repo, BaseRef(res.BaseRef), res, nil)
	}
	if err != nil {
		return err
	}
	res.ConfigSHA = sha
	defer func() { g.Configs.noteGated(owner, repo, res.BaseRef, res.Policy != nil) }()
	key := owner + "/" + repo + "\x00" + res.BaseRef + "\x00" + sha
	if e := g.Configs.get(key); e != nil {
		e.apply(res)
		return nil
	}
	e := &configEntry{key: key}
	if err := g.readConfig(ctx, gh, owner, repo, sha, res, e); err != nil {
		return err
	}
	g.Configs.put(e)
	return nil
}

// readConfig reads the policy and, when it loaded (or Also is set), CODEOWNERS at ref into
// res; e, when not nil, is filled with what was set.
func (g *Gatherer) readConfig(ctx context.Context, gh *github.Client, owner, repo, ref string, res *Result, e *configEntry) error {
	res.PolicyRef = ref
	n, err := g.loadPolicy(ctx, gh, owner, repo, ref, res)
	if err != nil {
		return err
	}
	var m int
	unavailable := len(res.Facts.Unavailable)
	if res.Policy != nil || g.Also != nil {
		if m, err = g.loadCodeowners(ctx, gh, owner, repo, ref, res); err != nil {
			return err
		}
	}
	if e != nil {
		e.size = int64(n+m) + configEntryOverhead
		e.policyFile, e.policyDigest, e.policyRef, e.policy, e.policyErr = res.PolicyFile, res.PolicyDigest, res.PolicyRef, res.Policy, res.PolicyErr
		e.codeownersFile, e.codeownersDigest, e.codeowners = res.CodeownersFile, res.CodeownersDigest, res.Facts.Codeowners
		e.unavailable = slices.Clone(res.Facts.Unavailable[unavailable:])
	}
	return nil
}

// apply sets what e holds on res. The parsed files are shared between
// evaluations: both are immutable once parsed.
func (e *configEntry) apply(res *Result) {
	res.PolicyFile, res.PolicyDigest, res.PolicyRef, res.Policy, res.PolicyErr = e.policyFile, e.policyDigest, e.policyRef, e.policy, e.policyErr
	res.CodeownersFile, res.CodeownersDigest, res.Facts.Codeowners = e.codeownersFile, e.codeownersDigest, e.codeowners
	res.Facts.Unavailable = append(res.Facts.Unavailable, e.unavailable...)
}

// branchHead returns the commit branch points at, errNotFound when there
// is no such branch. The ref is named in full ("heads/<branch>"): GitHub
// answers an exact match only, so a tag cannot stand in for it.
func branchHead(ctx context.Context, gh *github.Client, owner, repo, branch string) (string, error) {
	ref, resp, err := gh.Git.GetRef(ctx, owner, repo, "heads/"+branch)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return "", errNotFound
		}
		return "", fmt.Errorf("read branch %s of %s/%s: %w", branch, owner, repo, err)
	}
	sha := ref.GetObject().GetSHA()
	if ref.GetRef() != BaseRef(branch) || ref.GetObject().GetType() != "commit" || sha == "" {
		return "", fmt.Errorf("read branch %s of %s/%s: GitHub answered %s (%s %s)", branch, owner, repo, ref.GetRef(), ref.GetObject().GetType(), sha)
	}
	return sha, nil
}
