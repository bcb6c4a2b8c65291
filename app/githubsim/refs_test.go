package githubsim

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
)

// TestCreateRefIsCompareAndSwap: of many callers creating one ref at
// once, exactly one gets 201; the others get GitHub's 422 "Reference
// already exists".
func TestCreateRefIsCompareAndSwap(t *testing.T) {
	e := newEnv(t, Options{})
	_, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	const n = 16
	var wg sync.WaitGroup
	codes := make(chan int, n)
	for range n {
		wg.Go(func() {
			_, resp, err := e.gh.Git.CreateRef(context.Background(), "acme", "payments",
				&github.Reference{Ref: github.String("refs/zgate/" + head + "/prod/main"), Object: &github.GitObject{SHA: github.String(head)}})
			var er *github.ErrorResponse
			switch {
			case err == nil:
				codes <- resp.StatusCode
			case errors.As(err, &er) && er.Message == "Reference already exists":
				codes <- er.Response.StatusCode
			default:
				t.Errorf("create ref: %v", err)
			}
		})
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusCreated] != 1 || got[http.StatusUnprocessableEntity] != n-1 {
		t.Errorf("answers = %v, want one 201 and %d 422", got, n-1)
	}
	if sha := e.sim.Ref("acme", "payments", "refs/zgate/"+head+"/prod/main"); sha != head {
		t.Errorf("ref points at %q, want %s", sha, head)
	}
}

// TestTagShadowsBranch models git's rule (gitrevisions(7)): a bare name
// resolves to refs/tags/<name> before refs/heads/<name>.
func TestTagShadowsBranch(t *testing.T) {
	e := newEnv(t, Options{})
	other, err := e.sim.Push("acme", "payments", "other", map[string]string{"README.md": "tag\n"}, nil, "mallory")
	must(t, err)
	must(t, e.sim.CreateTag("acme", "payments", "main", other))
	read := func(ref string) string {
		t.Helper()
		fc, _, _, err := e.gh.Repositories.GetContents(context.Background(), "acme", "payments", "README.md", &github.RepositoryContentGetOptions{Ref: ref})
		must(t, err)
		s, err := fc.GetContent()
		must(t, err)
		return s
	}
	if got := read("main"); got != "tag\n" {
		t.Errorf("ref=main reads %q, want the tag's content", got)
	}
	if got := read("tags/main"); got != "tag\n" {
		t.Errorf("ref=tags/main reads %q, want the tag's content", got)
	}
	for _, ref := range []string{"refs/heads/main", "heads/main"} {
		if got := read(ref); got == "tag\n" {
			t.Errorf("ref=%s reads the tag's content", ref)
		}
	}
	if err := e.sim.CreateTag("acme", "payments", "main", other); !errors.Is(err, ErrExists) {
		t.Errorf("second tag main: %v, want ErrExists", err)
	}
}
