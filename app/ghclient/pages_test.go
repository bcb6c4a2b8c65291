package ghclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
)

// listServer serves one growing list under /api/v3/items as GitHub pages
// it: by page number or by after cursor, as a bare array or wrapped in an
// object, with a body ETag, Link headers on 200s only, and 304s for an
// unchanged page.
type listServer struct {
	wrapped bool // {"items": [...]}
	total   bool // wrapped with "total_count": n too
	cursor  bool // after=<index> instead of page=<n>

	mu     sync.Mutex
	n      int
	status map[int]int // count of answers by status
}

func (s *listServer) grow(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n = n
}

func (s *listServer) answered(status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status[status]
}

func (s *listServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = defaultPerPage
	}
	per = min(per, maxPerPage)
	lo := 0
	if s.cursor {
		if a := q.Get("after"); a != "" {
			lo, _ = strconv.Atoi(a)
		}
	} else if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		lo = (p - 1) * per
	}
	lo = min(lo, s.n)
	hi := min(s.n, lo+per)
	items := make([]map[string]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		items = append(items, map[string]int{"id": i})
	}
	var body any = items
	if s.wrapped {
		m := map[string]any{"items": items}
		if s.total {
			m["total_count"] = s.n
		}
		body = m
	}
	b, _ := json.Marshal(body)
	sum := sha256.Sum256(b)
	etag := `W/"` + hex.EncodeToString(sum[:8]) + `"`
	if s.status == nil {
		s.status = map[int]int{}
	}
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		s.status[http.StatusNotModified]++
		w.WriteHeader(http.StatusNotModified) // no Link: GitHub does not promise one
		return
	}
	if hi < s.n {
		next := *r.URL
		next.Scheme, next.Host = "http", r.Host
		v := next.Query()
		if s.cursor {
			v.Set("after", strconv.Itoa(hi))
		} else {
			v.Set("page", strconv.Itoa(hi/per+1))
		}
		next.RawQuery = v.Encode()
		w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", next.String()))
	}
	s.status[http.StatusOK]++
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// readAll reads every page of the list as a go-github loop does, and
// returns the number of items seen.
func (s *listServer) readAll(ctx context.Context, t *testing.T, gh *github.Client, perPage int) int {
	t.Helper()
	v := url.Values{}
	if perPage > 0 {
		v.Set("per_page", strconv.Itoa(perPage))
	}
	seen := 0
	for pages := 0; pages < 100; pages++ {
		req, err := gh.NewRequest(http.MethodGet, "items?"+v.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var items []json.RawMessage
		var wrapped struct{ Items []json.RawMessage }
		var into any = &items
		if s.wrapped {
			into = &wrapped
		}
		resp, err := gh.Do(ctx, req, into)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(items) + len(wrapped.Items)
		switch {
		case s.cursor && resp.After != "":
			v.Set("after", resp.After)
		case !s.cursor && resp.NextPage != 0:
			v.Set("page", strconv.Itoa(resp.NextPage))
		default:
			return seen
		}
	}
	t.Fatal("more than 100 pages")
	return 0
}

// TestCachedPagesNeverEndAGrowingList: a list read through the ETag cache
// is seen whole while it grows across every page boundary, whatever its
// shape and pagination, with per_page given or GitHub's default.
func TestCachedPagesNeverEndAGrowingList(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name                   string
		wrapped, total, cursor bool
		perPage                int // 0: GitHub's default
	}{
		{name: "array by page", perPage: 3},
		{name: "array by page, default per_page", perPage: 0},
		{name: "array by page, per_page above the cap", perPage: 500},
		// total_count changes every page's body as the list grows.
		{name: "wrapped with total by page", wrapped: true, total: true, perPage: 3},
		{name: "wrapped by page", wrapped: true, perPage: 3},
		{name: "array by cursor", cursor: true, perPage: 3},
		{name: "wrapped by cursor", wrapped: true, cursor: true, perPage: 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &listServer{wrapped: tt.wrapped, total: tt.total, cursor: tt.cursor}
			srv := httptest.NewServer(http.StripPrefix("/api/v3", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/items" {
					http.NotFound(w, r)
					return
				}
				s.ServeHTTP(w, r)
			})))
			t.Cleanup(srv.Close)
			gh, err := NewTokenClientConfig(Config{BaseURL: srv.URL + "/api/v3/", Retry: RetryPolicy{Sleep: noSleep}}, "tok")
			if err != nil {
				t.Fatal(err)
			}
			per := defaultPerPage
			if tt.perPage > 0 {
				per = min(tt.perPage, maxPerPage)
			}
			sizes := []int{0, 1, per - 1, per, per + 1, 2*per - 1, 2 * per, 2*per + 1, 3 * per}
			for _, n := range sizes {
				s.grow(n)
				for _, pass := range []string{"after growing", "warm"} {
					if got := s.readAll(ctx, t, gh, tt.perPage); got != n {
						t.Fatalf("list of %d items (%d per page), read %s: saw %d", n, per, pass, got)
					}
				}
			}
			if s.answered(http.StatusNotModified) == 0 {
				t.Error("no page was answered 304: the cache was not exercised")
			}
		})
	}
}

// TestCachedPagesCost: an unchanged list costs no rate limit unless its
// last page is full, and then exactly one call per read.
func TestCachedPagesCost(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		n, wantOK int
	}{
		{n: 0, wantOK: 0},  // empty
		{n: 1, wantOK: 0},  // one page, not full: all 304
		{n: 2, wantOK: 0},  // one page, not full
		{n: 3, wantOK: 1},  // one full page: asked afresh once
		{n: 4, wantOK: 0},  // a full first page with a next link, then 1
		{n: 5, wantOK: 0},  // two pages, the last not full
		{n: 6, wantOK: 1},  // the second page full
		{n: 7, wantOK: 0},  // three pages, the last with one item
		{n: 8, wantOK: 0},  // three pages, the last with two items
		{n: 9, wantOK: 1},  // three pages, the last full
		{n: 10, wantOK: 0}, // four pages, the last with one item
	} {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			s := &listServer{}
			srv := httptest.NewServer(http.StripPrefix("/api/v3", s))
			t.Cleanup(srv.Close)
			gh, err := NewTokenClientConfig(Config{BaseURL: srv.URL + "/api/v3/", Retry: RetryPolicy{Sleep: noSleep}}, "tok")
			if err != nil {
				t.Fatal(err)
			}
			s.grow(tt.n)
			s.readAll(ctx, t, gh, 3)
			before := s.answered(http.StatusOK)
			if got := s.readAll(ctx, t, gh, 3); got != tt.n {
				t.Fatalf("warm read saw %d items, want %d", got, tt.n)
			}
			if got := s.answered(http.StatusOK) - before; got != tt.wantOK {
				t.Errorf("warm read of %d items cost %d rate-limited calls, want %d", tt.n, got, tt.wantOK)
			}
		})
	}
}

func TestPageItems(t *testing.T) {
	u := func(s string) *url.URL {
		v, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	link := http.Header{"Link": {`<https://x/items?page=2>; rel="next"`}}
	for _, tt := range []struct {
		name string
		url  string
		h    http.Header
		body string
		want int
	}{
		{"bare array", "https://x/items", nil, `[{"id":1},{"id":2}]`, 2},
		{"empty array", "https://x/items", nil, `[]`, 0},
		{"check runs", "https://x/runs?per_page=100", nil, `{"total_count":2,"check_runs":[{},{}]}`, 2},
		{"workflow runs without per_page", "https://x/runs", nil, `{"total_count":1,"workflow_runs":[{}]}`, 1},
		{"attestations with a Link", "https://x/att", link, `{"attestations":[{},{},{}]}`, 3},
		{"attestations alone", "https://x/att", nil, `{"attestations":[{}]}`, 1},
		{"combined status", "https://x/status?per_page=100", nil, `{"state":"success","statuses":[{},{}],"sha":"a"}`, 2},
		{"single object", "https://x/pulls/1", nil, `{"number":1,"labels":[{},{}]}`, notList},
		{"object without arrays", "https://x/things?per_page=3", nil, `{"total_count":0}`, notList},
		{"not JSON", "https://x/raw", nil, `replicas: 3`, notList},
		{"empty body", "https://x/raw", nil, ``, notList},
		{"broken array", "https://x/items", nil, `[{"id":1},`, notList},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := pageItems(u(tt.url), tt.h, []byte(tt.body)); got != tt.want {
				t.Errorf("pageItems(%s, %s) = %d, want %d", tt.url, tt.body, got, tt.want)
			}
		})
	}
}

func TestHasNextLink(t *testing.T) {
	for _, tt := range []struct {
		link string
		want bool
	}{
		{``, false},
		{`<https://x/items?page=2>; rel="next", <https://x/items?page=5>; rel="last"`, true},
		{`<https://x/items?page=1>; rel="prev", <https://x/items?page=1>; rel="first"`, false},
		{`<https://x/items?after=Y3Vy>; rel="next"`, true},
		{`<https://x/items?page=2>; REL=NEXT`, true},
		{`<https://x/items?page=2>; rel="next last"`, true},
		{`<https://x/next>; rel="prev"`, false},
		{`<https://x/items?labels=a,b&page=2>; rel="next"`, true},
		{`<https://x/items?q=x;rel=next>; rel="prev"`, false},
		{`<https://x/items?q=a,rel=next>; rel="prev"`, false},
	} {
		h := http.Header{}
		if tt.link != "" {
			h.Set("Link", tt.link)
		}
		if got := hasNextLink(h); got != tt.want {
			t.Errorf("hasNextLink(%q) = %v, want %v", tt.link, got, tt.want)
		}
	}
}
