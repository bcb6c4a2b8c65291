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

// rendezvous holds the base branch's ref read and the changed files'
// read, once armed, each until the other is in flight too (or a
// timeout), and records whether they met: only reads made side by side
// can.
type rendezvous struct {
	next http.RoundTripper

	mu                sync.Mutex
	armed             bool
	refIn, filesIn    chan struct{}
	refOnce, fileOnce sync.Once
	met               int
}

func (r *rendezvous) arm() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.armed, r.refIn, r.filesIn = true, make(chan struct{}), make(chan struct{})
	r.refOnce, r.fileOnce = sync.Once{}, sync.Once{}
}

func (r *rendezvous) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	armed, refIn, filesIn := r.armed, r.refIn, r.filesIn
	r.mu.Unlock()
	wait := func(mine chan struct{}, once *sync.Once, other chan struct{}) {
		once.Do(func() { close(mine) })
		select {
		case <-other:
			r.mu.Lock()
			r.met++
			r.mu.Unlock()
		case <-time.After(2 * time.Second):
		}
	}
	switch {
	case armed && strings.HasSuffix(req.URL.Path, "/files"):
		wait(filesIn, &r.fileOnce, refIn)
	case armed && strings.Contains(req.URL.Path, "/git/ref/"):
		wait(refIn, &r.refOnce, filesIn)
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
	rv.arm()
	second, err := g.Gather(ctx, w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	if rv.met < 2 {
		t.Error("the base branch's ref and the files were not in flight together: read one after the other")
	}
	if got, want := strings.Join(second.Facts.PullRequest.ChangedFiles, ","), strings.Join(first.Facts.PullRequest.ChangedFiles, ","); got != want || second.Policy == nil {
		t.Errorf("second gather: files %q, policy %v; want %q and the policy", got, second.Policy != nil, want)
	}
}
