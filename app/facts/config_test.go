package facts

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/ghclient"
)

// TestConfigCachedPerBaseCommit: the policy and CODEOWNERS are read and
// parsed once per head commit of the base branch; later evaluations only
// ask for the branch's head (a 304 while it does not move). A push to the
// base branch moves its head, and the next evaluation reads the new files:
// a tightened policy applies at once, with no invalidation.
func TestConfigCachedPerBaseCommit(t *testing.T) {
	w := newWorld(t, nil, nil)
	ctx := context.Background()
	g := &Gatherer{Configs: NewConfigCache(1 << 20)}
	gather := func() *Result {
		t.Helper()
		w.env.Counter.Reset()
		res, err := g.Gather(ctx, w.gh, owner, repoName, w.pr)
		if err != nil {
			t.Fatal(err)
		}
		if res.Policy == nil {
			t.Fatalf("no policy: %v", res.PolicyErr)
		}
		return res
	}
	contentReads := func() int {
		n := 0
		for ep, c := range w.env.Counter.Counts() {
			if strings.Contains(ep, "/contents/") {
				n += c
			}
		}
		return n
	}

	first := gather()
	if n := contentReads(); n != 2 {
		t.Errorf("first gather read %d files, want 2 (policy and CODEOWNERS)", n)
	}
	second := gather()
	if n := contentReads(); n != 0 {
		t.Errorf("second gather read %d files, want 0 (parsed at this base commit already)", n)
	}
	if second.Policy != first.Policy || second.Facts.Codeowners != first.Facts.Codeowners || second.PolicyDigest != first.PolicyDigest {
		t.Error("second gather did not reuse the parsed policy and CODEOWNERS")
	}
	// Tighten the policy on main: the next gather reads it.
	tight := strings.Replace(testdata(t, "zgate.yml"), "quorum: 2", "quorum: 3", 1)
	if tight == testdata(t, "zgate.yml") {
		t.Fatal("test policy has no \"quorum: 2\" to tighten")
	}
	if _, err := w.env.Sim.Push(owner, repoName, "main", map[string]string{".github/zgate.yml": tight}, nil, "admin"); err != nil {
		t.Fatal(err)
	}
	third := gather()
	if n := contentReads(); n != 2 {
		t.Errorf("gather after a push to main read %d files, want 2", n)
	}
	if got := third.Policy.Gates[0].Quorum; got != 3 {
		t.Errorf("quorum after the push to main = %d, want 3", got)
	}
}

// TestConfigCacheBounded: past its budget the cache drops the least
// recently used entries.
func TestConfigCacheBounded(t *testing.T) {
	c := NewConfigCache(3000)
	for _, k := range []string{"a", "b", "c"} {
		c.put(&configEntry{key: k, size: 1000})
	}
	c.get("a") // b is now the least recently used
	c.put(&configEntry{key: "d", size: 1000})
	if c.Len() != 3 || c.get("b") != nil || c.get("a") == nil || c.get("d") == nil {
		t.Errorf("after overflow: %d entries, b kept %v; want 3, b dropped", c.Len(), c.get("b") != nil)
	}
	c.put(&configEntry{key: "huge", size: 1 << 20})
	if c.Len() != 1 || c.get("huge") == nil {
		t.Errorf("an entry above the budget: %d entries, want only it", c.Len())
	}
}

// inFlight is a transport that holds each request a moment and records
// how many were in flight at once.
type inFlight struct {
	next      http.RoundTripper
	mu        sync.Mutex
	now, most int
}

func (t *inFlight) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.now++
	t.most = max(t.most, t.now)
	t.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	defer func() {
		t.mu.Lock()
		t.now--
		t.mu.Unlock()
	}()
	return t.next.RoundTrip(r)
}

// TestGatherListsConcurrently: the changed files and the reviews do not
// depend on each other and are read at the same time.
func TestGatherListsConcurrently(t *testing.T) {
	tr := &inFlight{next: http.DefaultTransport}
	w := newWorldEdit(t, nil, nil, func(c *ghclient.Config) { c.Transport = tr })
	if _, err := (&Gatherer{}).Gather(context.Background(), w.gh, owner, repoName, w.pr); err != nil {
		t.Fatal(err)
	}
	if tr.most < 2 {
		t.Errorf("at most %d requests in flight, want the lists read concurrently", tr.most)
	}
}
