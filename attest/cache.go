package attest

import (
	"sync"
	"sync/atomic"
)

// cache keeps verification outcomes by bundle digest. Outcomes do not
// depend on the clock (timestamps are verified, not compared with now), so
// entries never expire; when full, an arbitrary entry is dropped.
type cache struct {
	mu           sync.Mutex
	max          int
	entries      map[string]cacheEntry
	hits, misses atomic.Uint64
}

type cacheEntry struct {
	vd  *verified
	err error
}

func newCache(max int) *cache {
	return &cache{max: max, entries: make(map[string]cacheEntry)}
}

// get returns the cached outcome: (nil, nil) when there is none.
func (c *cache) get(digest string) (*verified, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[digest]
	if !ok {
		c.misses.Add(1)
		return nil, nil
	}
	c.hits.Add(1)
	return e.vd, e.err
}

func (c *cache) put(digest string, vd *verified, err error) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[digest]; !ok && len(c.entries) >= c.max {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[digest] = cacheEntry{vd: vd, err: err}
}

// CacheStats returns how many Verify calls found their bundle's outcome in
// the cache and how many verified it, for metrics.
func (v *Verifier) CacheStats() (hits, misses uint64) {
	return v.cache.hits.Load(), v.cache.misses.Load()
}
