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

// rendezvous holds the base branch's ref read until the changed files
// are being read (or a timeout), and records whether they met.
type rendezvous struct {
	next http.RoundTripper

	mu    sync.Mutex
	arm   bool
	files chan struct{}
	met   bool
}

func (r *rendezvous) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	armed, files := r.arm, r.files
	r.mu.Unlock()
	switch {
	case armed && strings.HasSuffix(req.URL.Path, "/files"):
		close(files)
		r.mu.Lock()
		r.arm = false
		r.mu.Unlock()
	case armed && strings.Contains(req.URL.Path, "/git/ref/"):
		select {
		case <-files:
			r.mu.Lock()
			r.met = true
			r.mu.Unlock()
		case <-time.After(2 * time.Second):
		}
	}
	return r.next.RoundTrip(req)
}

// TestGatherReadsFilesBesideTheBaseRef: once a base branch is known to
// be gated, the changed files are read while its head (and so its policy)
// is read, not after: one round trip less per evaluation. The facts are
// those of a sequential read.
func TestGatherReadsFilesBesideTheBaseRef(t *testing.T) {
	rv := &rendezvous{next: http.DefaultTransport}
	w := newWorldEdit(t, nil, nil, func(c *ghclient.Config) { c.Transport = rv })
	g := &Gatherer{Configs: NewConfigCache(DefaultConfigCacheBytes)}
	ctx := context.Background()
	first, err := g.Gather(ctx, w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	rv.mu.Lock()
	rv.arm, rv.files = true, make(chan struct{})
	rv.mu.Unlock()
	second, err := g.Gather(ctx, w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	if !rv.met {
		t.Error("the base branch's ref was read before the files were asked for: sequential, not beside them")
	}
	if got, want := strings.Join(second.Facts.PullRequest.ChangedFiles, ","), strings.Join(first.Facts.PullRequest.ChangedFiles, ","); got != want || second.Policy == nil {
		t.Errorf("second gather: files %q, policy %v; want %q and the policy", got, second.Policy != nil, want)
	}
}
