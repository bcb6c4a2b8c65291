package githubsim

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

func TestContents(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	big := strings.Repeat("0123456789", 20)
	_, err := e.sim.Push("acme", "payments", "feature", map[string]string{"docs/big.txt": big}, []string{"README.md"}, "alice")
	must(t, err)

	tests := []struct {
		name, path, ref string
		wantStatus      int
		wantContent     string
	}{
		{"file on default branch", "README.md", "", http.StatusOK, "# payments\n"},
		{"file on branch", "docs/big.txt", "feature", http.StatusOK, big},
		{"deleted on branch", "README.md", "feature", http.StatusNotFound, ""},
		{"missing file", "nope.txt", "main", http.StatusNotFound, ""},
		{"unknown ref", "README.md", "nope", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _, resp, _ := e.gh.Repositories.GetContents(ctx, "acme", "payments", tc.path, &github.RepositoryContentGetOptions{Ref: tc.ref})
			if got := statusOf(resp); got != tc.wantStatus {
				t.Fatalf("status = %d, want %d", got, tc.wantStatus)
			}
			if tc.wantStatus != http.StatusOK {
				return
			}
			got, err := f.GetContent()
			must(t, err)
			if got != tc.wantContent {
				t.Errorf("content = %q, want %q", got, tc.wantContent)
			}
			if f.GetSHA() != blobSHA(tc.wantContent) {
				t.Errorf("sha = %s, want git blob sha %s", f.GetSHA(), blobSHA(tc.wantContent))
			}
			for i, line := range strings.Split(strings.TrimSuffix(*f.Content, "\n"), "\n") {
				if len(line) > 60 {
					t.Errorf("base64 line %d is %d characters, want <= 60", i, len(line))
				}
			}
		})
	}
	_, dir, _, err := e.gh.Repositories.GetContents(ctx, "acme", "payments", "deploy", nil)
	must(t, err)
	if len(dir) != 1 || dir[0].GetType() != "dir" || dir[0].GetPath() != "deploy/prod" {
		t.Errorf("directory listing = %v, want [deploy/prod dir]", dir)
	}
}

func TestWrap60(t *testing.T) {
	tests := []struct {
		name string
		in   int
	}{{"empty", 0}, {"one line", 30}, {"exactly one line", 45}, {"several lines", 500}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(strings.Repeat("a", tc.in))
			out := wrap60(in)
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if len(l) > 60 {
					t.Errorf("line of %d characters", len(l))
				}
			}
			dec, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(out, "\n", ""))
			must(t, err)
			if string(dec) != string(in) {
				t.Errorf("round trip = %q, want %q", dec, in)
			}
		})
	}
}

func TestBranchAndCommit(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	sha, err := e.sim.Push("acme", "payments", "feature/x", map[string]string{"a.txt": "a\n"}, nil, "alice")
	must(t, err)
	b, _, err := e.gh.Repositories.GetBranch(ctx, "acme", "payments", "feature/x", 0)
	must(t, err)
	if b.GetCommit().GetSHA() != sha {
		t.Errorf("branch head = %s, want %s", b.GetCommit().GetSHA(), sha)
	}
	c, _, err := e.gh.Repositories.GetCommit(ctx, "acme", "payments", sha[:10], nil)
	must(t, err)
	if c.GetSHA() != sha || len(c.Files) != 1 || c.Files[0].GetFilename() != "a.txt" || len(c.Parents) != 1 {
		t.Errorf("commit = %s files %d parents %d, want %s with a.txt and one parent", c.GetSHA(), len(c.Files), len(c.Parents), sha)
	}
	if _, resp, _ := e.gh.Repositories.GetBranch(ctx, "acme", "payments", "nope", 0); statusOf(resp) != http.StatusNotFound {
		t.Errorf("missing branch = %d, want 404", statusOf(resp))
	}
	repo, _, err := e.gh.Repositories.Get(ctx, "acme", "payments")
	must(t, err)
	if repo.GetDefaultBranch() != "main" || repo.GetFullName() != "acme/payments" {
		t.Errorf("repo = %s default %s", repo.GetFullName(), repo.GetDefaultBranch())
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	files := map[string]string{}
	for i := range 3100 {
		files[fmt.Sprintf("deploy/prod/f%04d.yaml", i)] = "n: " + strconv.Itoa(i) + "\n"
	}
	n, _ := e.openPR(t, "huge", files)

	var all []string
	opts := &github.ListOptions{PerPage: 100}
	pages := 0
	for {
		fs, resp, err := e.gh.PullRequests.ListFiles(ctx, "acme", "payments", n, opts)
		must(t, err)
		pages++
		for _, f := range fs {
			all = append(all, f.GetFilename())
		}
		if resp.NextPage == 0 {
			if resp.LastPage != 0 {
				t.Errorf("last page has a last link %d", resp.LastPage)
			}
			break
		}
		opts.Page = resp.NextPage
	}
	if len(all) != maxPRFiles || pages != 30 {
		t.Errorf("listed %d files in %d pages, want GitHub's cap %d in 30", len(all), pages, maxPRFiles)
	}
	pr, _, err := e.gh.PullRequests.Get(ctx, "acme", "payments", n)
	must(t, err)
	if pr.GetChangedFiles() != 3100 {
		t.Errorf("changed_files = %d, want 3100 (the real count)", pr.GetChangedFiles())
	}

	tests := []struct {
		name                     string
		perPage, page            int
		wantLen, wantNext, wantL int
	}{
		{"default page size", 0, 0, 30, 2, 100},
		{"capped at 100", 500, 1, 100, 2, 30},
		{"middle", 100, 5, 100, 6, 30},
		{"past the end", 100, 31, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, resp, err := e.gh.PullRequests.ListFiles(ctx, "acme", "payments", n, &github.ListOptions{PerPage: tc.perPage, Page: tc.page})
			must(t, err)
			got := []int{len(fs), resp.NextPage, resp.LastPage}
			if diff := cmp.Diff([]int{tc.wantLen, tc.wantNext, tc.wantL}, got); diff != "" {
				t.Errorf("len, next, last (-want +got):\n%s", diff)
			}
		})
	}
}

func TestETagAndRateLimit(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	n, _ := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	_, resp, err := e.gh.PullRequests.Get(ctx, "acme", "payments", n)
	must(t, err)
	etag := resp.Header.Get("ETag")
	remaining := resp.Rate.Remaining
	if etag == "" || resp.Header.Get("X-GitHub-Request-Id") == "" || resp.Rate.Limit != DefaultRateLimit {
		t.Fatalf("headers: ETag %q, request id %q, limit %d", etag, resp.Header.Get("X-GitHub-Request-Id"), resp.Rate.Limit)
	}

	get := func() *http.Response {
		req, err := e.gh.NewRequest(http.MethodGet, fmt.Sprintf("repos/acme/payments/pulls/%d", n), nil)
		must(t, err)
		req.Header.Set("If-None-Match", etag)
		r, err := e.gh.Client().Do(req)
		must(t, err)
		r.Body.Close()
		return r
	}
	r := get()
	if r.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET = %d, want 304", r.StatusCode)
	}
	if got := r.Header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(remaining) {
		t.Errorf("remaining after 304 = %s, want unchanged %d", got, remaining)
	}
	_, err = e.sim.SubmitReview("acme", "payments", n, "bob", "COMMENT", "hm")
	must(t, err)
	if _, err := e.sim.Push("acme", "payments", "scale", map[string]string{"x": "y"}, nil, "alice"); err != nil {
		t.Fatal(err)
	}
	if r := get(); r.StatusCode != http.StatusOK {
		t.Errorf("conditional GET after a push = %d, want 200", r.StatusCode)
	} else if got := r.Header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(remaining-1) {
		t.Errorf("remaining after 200 = %s, want %d", got, remaining-1)
	}
}

// TestFullPageGrowsUnchanged: how GitHub pages a list that grows past an
// exactly full page, the case zgate's ETag cache must survive. Page 1 of
// 100 reviews has no Link header; after review 101 page 1's body, and so
// its ETag, is unchanged: If-None-Match gets 304, and the 304 carries no
// Link header (GitHub does not promise one). Only a fresh 200 says that
// page 2 exists.
func TestFullPageGrowsUnchanged(t *testing.T) {
	e := newEnv(t, Options{})
	n, _ := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	for i := range 100 {
		_, err := e.sim.SubmitReview("acme", "payments", n, fmt.Sprintf("r%03d", i), "APPROVE", "")
		must(t, err)
	}
	page1 := func(etag string) *http.Response {
		req, err := e.gh.NewRequest(http.MethodGet, fmt.Sprintf("repos/acme/payments/pulls/%d/reviews?per_page=100", n), nil)
		must(t, err)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		r, err := e.gh.Client().Do(req)
		must(t, err)
		r.Body.Close()
		return r
	}
	full := page1("")
	if full.StatusCode != http.StatusOK || full.Header.Get("Link") != "" {
		t.Fatalf("exactly one full page: %d with Link %q, want 200 without a Link", full.StatusCode, full.Header.Get("Link"))
	}
	_, err := e.sim.SubmitReview("acme", "payments", n, "r100", "REQUEST_CHANGES", "")
	must(t, err)
	if r := page1(full.Header.Get("ETag")); r.StatusCode != http.StatusNotModified || r.Header.Get("Link") != "" {
		t.Errorf("unchanged page 1 after growth: %d with Link %q, want 304 without a Link", r.StatusCode, r.Header.Get("Link"))
	}
	r := page1("")
	if link := r.Header.Get("Link"); r.StatusCode != http.StatusOK || !strings.Contains(link, `page=2&per_page=100>; rel="next"`) || !strings.Contains(link, `rel="last"`) {
		t.Errorf("fresh page 1 after growth: %d with Link %q, want 200 with next and last links to page 2", r.StatusCode, link)
	}
}
