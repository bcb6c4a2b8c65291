package ghclient

import (
	"fmt"
	"net/http"
	"strings"
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
	one := entrySize(&etagEntry{key: "a", stored: make([]byte, 600)})
	c := newETagCache(0, 2*one) // no entry bound: bytes only
	c.put(&etagEntry{key: "a", stored: make([]byte, 600)})
	c.put(&etagEntry{key: "b", stored: make([]byte, 600)})
	c.put(&etagEntry{key: "c", stored: make([]byte, 600)}) // over: evicts a
	if c.get("a") != nil || c.get("b") == nil || c.get("c") == nil {
		t.Errorf("cached a, b, c = %v, %v, %v; want false, true, true", c.get("a") != nil, c.get("b") != nil, c.get("c") != nil)
	}
	c.put(&etagEntry{key: "b", stored: make([]byte, 100)}) // replacing frees bytes
	c.put(&etagEntry{key: "d", stored: make([]byte, 200)})
	if c.len() != 3 {
		t.Errorf("len = %d, want 3 (b shrank)", c.len())
	}
	if want := entrySize(c.get("b")) + entrySize(c.get("c")) + entrySize(c.get("d")); c.bytes != want {
		t.Errorf("bytes = %d, want %d", c.bytes, want)
	}
}

// TestETagCacheChargesHeadersAndKeys: an entry costs more than its body
// (keys, headers), so a budget in bytes holds what it says; and only the
// headers a cached answer needs are kept.
func TestETagCacheChargesHeadersAndKeys(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Link", `<https://x/?page=2>; rel="next"`)
	h.Set("Content-Security-Policy", strings.Repeat("x", 500))
	h.Set("X-Github-Request-Id", "ABCD")
	kept := keepHeaders(h)
	if kept.Get("Link") == "" || kept.Get("Content-Type") == "" || kept.Get("Content-Security-Policy") != "" || kept.Get("X-Github-Request-Id") != "" {
		t.Errorf("kept headers = %v, want Content-Type and Link only", kept)
	}
	e := &etagEntry{key: strings.Repeat("k", 100), etag: `W/"abc"`, header: kept, stored: make([]byte, 1000)}
	if got := entrySize(e); got < int64(1000+200+len(`W/"abc"`)+len("Content-Type")+len("Link")) {
		t.Errorf("entrySize = %d, want the body, keys and headers counted", got)
	}
}

func BenchmarkETagCache(b *testing.B) {
	c := newETagCache(0, DefaultCacheBytes)
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
