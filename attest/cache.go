package attest

import "sync"

// cache keeps verification outcomes by bundle digest. Outcomes do not
// depend on the clock (timestamps are verified, not compared with now), so
// entries never expire; when full, an arbitrary entry is dropped.
type cache struct {
	mu      sync.Mutex
	max     int
	entries map[string]cacheEntry
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
		return nil, nil
	}
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
