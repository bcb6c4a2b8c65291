package ghclient

import (
	"bytes"
	"container/list"
	"io"
	"net/http"
	"strings"
	"sync"
)

// etagCache is a bounded LRU of GET responses that carried an ETag. It is
// shared by every identity of one [Apps]; the key includes the identity so
// one installation never sees another's cached data.
type etagCache struct {
	mu       sync.Mutex
	max      int   // entries; 0: no bound but maxBytes
	maxBytes int64 // total of the entries' sizes
	bytes    int64
	order    *list.List // front = most recent; values are *etagEntry
	entries  map[string]*list.Element
	deflate  deflaters
}

type etagEntry struct {
	key    string
	etag   string
	status int
	header http.Header
	// stored is the body as kept: deflated (see compact.go) when rawLen
	// is positive, else as received.
	stored []byte
	rawLen int
	// items is the number of items when body is one page of a list,
	// notList otherwise (see pageItems).
	items int
	// size is the memory the entry is charged with (see entrySize).
	size int64
}

// entryOverhead approximates an entry's memory besides its body, keys and
// headers (list element, map slot, struct).
const entryOverhead = 256

// headerMapOverhead approximates a kept header map's own memory (a map
// of up to 8 keys is one group of 8 slots of string and []string, plus
// its header), besides the values' slices and strings.
const headerMapOverhead = 400

// entrySize is what e is charged against the cache's budget: the memory
// the stored body holds (its capacity, not its length), the key (twice:
// map and entry), the kept headers with their map, and the overhead.
func entrySize(e *etagEntry) int64 {
	n := cap(e.stored) + 2*len(e.key) + len(e.etag) + entryOverhead
	if e.header != nil {
		n += headerMapOverhead
	}
	for _, vs := range e.header {
		n += 24 * cap(vs) // the slice's backing array
		for _, v := range vs {
			n += len(v) // keys are the canonical names, shared
		}
	}
	return int64(n)
}

// keptHeaders are the response headers a cached answer keeps: what
// go-github and the cache read from a 200 (the rate-limit headers come
// fresh from each 304). The others (security policies, request ids...)
// would take about as much memory as a small body.
var keptHeaders = []string{"Content-Type", "Etag", "Last-Modified", "Link", "X-Github-Media-Type"}

// keepHeaders returns the kept headers of h, copied: the values of a
// parsed response share one backing array with every other header of it,
// which a cached slice would keep alive whole.
func keepHeaders(h http.Header) http.Header {
	out := make(http.Header, len(keptHeaders))
	for _, k := range keptHeaders {
		if v := h.Values(k); len(v) > 0 {
			vs := make([]string, len(v))
			for i := range v {
				vs[i] = strings.Clone(v[i])
			}
			out[k] = vs
		}
	}
	return out
}

func newETagCache(max int, maxBytes int64) *etagCache {
	return &etagCache{max: max, maxBytes: maxBytes, order: list.New(), entries: make(map[string]*list.Element)}
}

func (c *etagCache) get(key string) *etagEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*etagEntry)
}

func (c *etagCache) put(e *etagEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.size = entrySize(e)
	if el, ok := c.entries[e.key]; ok {
		c.bytes -= el.Value.(*etagEntry).size
		el.Value = e
		c.order.MoveToFront(el)
	} else {
		c.entries[e.key] = c.order.PushFront(e)
	}
	c.bytes += e.size
	for c.order.Len() > 0 && ((c.max > 0 && c.order.Len() > c.max) || c.bytes > c.maxBytes) {
		c.removeElement(c.order.Back())
	}
}

// removeElement drops one entry. Callers hold c.mu.
func (c *etagCache) removeElement(el *list.Element) {
	e := el.Value.(*etagEntry)
	c.order.Remove(el)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

func (c *etagCache) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.removeElement(el)
	}
}

// Len returns the number of cached responses.
func (c *etagCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// etagTransport makes GETs conditional. It sits above authentication, so
// identity (installation id or token hash) keys the cache instead of the
// Authorization header.
type etagTransport struct {
	next     http.RoundTripper
	cache    *etagCache
	identity string
}

// fromCacheHeader marks a response served from the cache after a 304.
const fromCacheHeader = "X-Zgate-From-Cache"

// RoundTrip implements http.RoundTripper.
func (t *etagTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.Header.Get("If-None-Match") != "" || req.Header.Get("Range") != "" {
		return t.next.RoundTrip(req)
	}
	key := t.identity + "\x00" + req.Header.Get("Accept") + "\x00" + req.URL.String()
	cached := t.cache.get(key)
	out := req
	if cached != nil {
		out = req.Clone(req.Context())
		out.Header.Set("If-None-Match", cached.etag)
	}
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotModified && cached != nil {
		drain(resp)
		if cached.servable(req.URL) {
			body, err := t.cache.deflate.expand(cached)
			if err == nil {
				return cachedResponse(req, cached, body, resp.Header), nil
			}
			// Cannot happen (the cache deflated it): ask afresh.
			t.cache.remove(key)
		}
		// A full page whose stored Link ends the list: the list may have
		// grown past it without changing it (see pages.go). Ask afresh so
		// GitHub's current Link header decides.
		if resp, err = t.next.RoundTrip(req); err != nil {
			return nil, err
		}
	}
	switch {
	case resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "":
		return t.store(req, key, resp)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		t.cache.remove(key)
	}
	return resp, nil
}

// store reads a 200 body and caches it when it is small enough.
func (t *etagTransport) store(req *http.Request, key string, resp *http.Response) (*http.Response, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCachedBody+1))
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	if len(body) > maxCachedBody {
		// Too big to keep: hand back what was read followed by the rest.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		return resp, nil
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	e := &etagEntry{
		key:    key,
		etag:   strings.Clone(resp.Header.Get("ETag")),
		status: resp.StatusCode,
		header: keepHeaders(resp.Header),
		items:  pageItems(req.URL, resp.Header, body),
	}
	e.stored, e.rawLen = t.cache.deflate.compact(body)
	t.cache.put(e)
	return resp, nil
}

// cachedResponse rebuilds the cached 200, taking the fresh rate-limit
// headers from the 304 so go-github's rate bookkeeping stays right.
func cachedResponse(req *http.Request, e *etagEntry, body []byte, fresh http.Header) *http.Response {
	h := e.header.Clone()
	for k, v := range fresh {
		if strings.HasPrefix(k, "X-Ratelimit-") || k == "Date" || k == "Etag" {
			h[k] = v
		}
	}
	h.Set(fromCacheHeader, "1")
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    e.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}
