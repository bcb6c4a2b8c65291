package ghclient

import (
	"fmt"
	"testing"
)

func TestETagCacheEvictsLeastRecent(t *testing.T) {
	c := newETagCache(2, 1<<20)
	c.put(&etagEntry{key: "a"})
	c.put(&etagEntry{key: "b"})
	if c.get("a") == nil {
		t.Fatal("get(a) = nil, want the entry")
	}
	c.put(&etagEntry{key: "c"}) // evicts b, the least recently used
	for key, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if got := c.get(key) != nil; got != want {
			t.Errorf("cached(%s) = %v, want %v", key, got, want)
		}
	}
	if got := c.len(); got != 2 {
		t.Errorf("len = %d, want 2", got)
	}
	c.remove("a")
	if got := c.len(); got != 1 {
		t.Errorf("len after remove = %d, want 1", got)
	}
}

func TestETagCacheBoundsBytes(t *testing.T) {
	c := newETagCache(100, 10)
	c.put(&etagEntry{key: "a", body: make([]byte, 6)})
	c.put(&etagEntry{key: "b", body: make([]byte, 6)}) // 12 > 10: evicts a
	if c.get("a") != nil || c.get("b") == nil {
		t.Errorf("cached a, b = %v, %v; want false, true", c.get("a") != nil, c.get("b") != nil)
	}
	c.put(&etagEntry{key: "b", body: make([]byte, 2)}) // replacing frees bytes
	c.put(&etagEntry{key: "c", body: make([]byte, 8)})
	if c.len() != 2 || c.bytes != 10 {
		t.Errorf("len, bytes = %d, %d; want 2, 10", c.len(), c.bytes)
	}
}

func BenchmarkETagCache(b *testing.B) {
	c := newETagCache(DefaultCacheEntries, DefaultCacheBytes)
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = fmt.Sprintf("installation:1\x00\x00https://api.github.com/repos/acme/payments/pulls/%d", i)
	}
	b.ResetTimer()
	for i := range b.N {
		k := keys[i%len(keys)]
		if c.get(k) == nil {
			c.put(&etagEntry{key: k})
		}
	}
}
