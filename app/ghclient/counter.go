package ghclient

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Call describes one request that reached the network.
type Call struct {
	Method string
	// Route is the path with variable parts replaced ("/repos/{owner}/{repo}/pulls/{n}"),
	// relative to the API root, so metrics stay low-cardinality.
	Route  string
	Status int // 0 when the transport failed
	// NotModified is set for a 304 answered from the ETag cache.
	NotModified bool
	Duration    time.Duration
}

// Endpoint is "METHOD ROUTE".
func (c Call) Endpoint() string { return c.Method + " " + c.Route }

// counterTransport reports every round trip to a hook.
type counterTransport struct {
	next     http.RoundTripper
	basePath string
	hook     func(Call)
}

// RoundTrip implements http.RoundTripper.
func (t *counterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	c := Call{Method: req.Method, Route: Route(t.basePath, req.URL.Path), Duration: time.Since(start)}
	if resp != nil {
		c.Status = resp.StatusCode
		c.NotModified = resp.StatusCode == http.StatusNotModified
	}
	t.hook(c)
	return resp, err
}

// Counter counts calls per endpoint; its Observe method fits
// [Config.OnCall]. It is safe for concurrent use.
type Counter struct {
	mu     sync.Mutex
	counts map[string]int
	total  int
	notMod int
}

// Observe records one call.
func (c *Counter) Observe(call Call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = make(map[string]int)
	}
	c.counts[call.Endpoint()]++
	c.total++
	if call.NotModified {
		c.notMod++
	}
}

// Total returns all calls, and how many of them were answered 304.
func (c *Counter) Total() (calls, notModified int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total, c.notMod
}

// Counts returns a copy of the per-endpoint counts.
func (c *Counter) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		m[k] = v
	}
	return m
}

// Endpoints returns the endpoints seen, sorted.
func (c *Counter) Endpoints() []string {
	m := c.Counts()
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Reset forgets every count.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts, c.total, c.notMod = nil, 0, 0
}

var (
	shaRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
	numRE = regexp.MustCompile(`^[0-9]+$`)
)

// Route turns a request path into a low-cardinality route: the API root's
// path (basePath, e.g. "/api/v3") is removed, owner, repo, org, team, user
// and ref segments become placeholders, numbers {n}, commit SHAs {sha},
// and everything after contents/ is {path}.
func Route(basePath, path string) string {
	path = strings.TrimPrefix(path, strings.TrimRight(basePath, "/"))
	segs := strings.Split(strings.Trim(path, "/"), "/")
	out := make([]string, 0, len(segs))
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		switch {
		case prev == "repos" && i == 1:
			out = append(out, "{owner}")
			if i+1 < len(segs) {
				out = append(out, "{repo}")
				i++
			}
			continue
		case prev == "contents":
			out = append(out, "{path}")
			return "/" + strings.Join(out, "/")
		case prev == "orgs" && i == 1:
			s = "{org}"
		case prev == "users" && i == 1:
			s = "{user}"
		case prev == "teams" && i >= 2:
			s = "{team}"
		case prev == "members" || prev == "memberships" || prev == "collaborators" || prev == "requested_reviewers":
			s = "{user}"
		case prev == "workflows" && !numRE.MatchString(s):
			s = "{workflow}"
		case prev == "branches" || prev == "ref" || prev == "refs":
			s = "{ref}"
		case shaRE.MatchString(s):
			s = "{sha}"
		case numRE.MatchString(s):
			s = "{n}"
		}
		out = append(out, s)
	}
	return "/" + strings.Join(out, "/")
}
