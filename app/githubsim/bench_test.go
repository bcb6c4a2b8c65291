package githubsim

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
)

// BenchmarkGetPull is one GET of a pull request through go-github and
// ghinstallation over loopback.
func BenchmarkGetPull(b *testing.B) {
	e := newEnv(b, Options{})
	n, _ := e.openPR(b, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := e.gh.PullRequests.Get(ctx, "acme", "payments", n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetPullNotModified is the same GET answered 304.
func BenchmarkGetPullNotModified(b *testing.B) {
	e := newEnv(b, Options{})
	n, _ := e.openPR(b, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	_, resp, err := e.gh.PullRequests.Get(context.Background(), "acme", "payments", n)
	if err != nil {
		b.Fatal(err)
	}
	etag := resp.Header.Get("ETag")
	b.ResetTimer()
	for b.Loop() {
		req, _ := e.gh.NewRequest(http.MethodGet, "repos/acme/payments/pulls/"+strconv.Itoa(n), nil)
		req.Header.Set("If-None-Match", etag)
		r, err := e.gh.Client().Do(req)
		if err != nil || r.StatusCode != http.StatusNotModified {
			b.Fatalf("status %v, %v", r, err)
		}
		r.Body.Close()
	}
}

// BenchmarkListFiles3000 lists all files of a 3,000-file pull request
// (30 pages of 100).
func BenchmarkListFiles3000(b *testing.B) {
	e := newEnv(b, Options{})
	files := map[string]string{}
	for i := range 3000 {
		files[fmt.Sprintf("deploy/prod/f%04d.yaml", i)] = "n: " + strconv.Itoa(i) + "\n"
	}
	n, _ := e.openPR(b, "huge", files)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		opts := &github.ListOptions{PerPage: 100}
		for {
			_, resp, err := e.gh.PullRequests.ListFiles(ctx, "acme", "payments", n, opts)
			if err != nil {
				b.Fatal(err)
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
	}
}

// BenchmarkReviewWebhook is a review submitted through the Go API up to
// the App's (signature-checking) receiver answering its webhook.
func BenchmarkReviewWebhook(b *testing.B) {
	e := newEnv(b, Options{})
	n, _ := e.openPR(b, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.sim.SubmitReview("acme", "payments", n, "bob", "COMMENT", "hm"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenPRsAndList opens 1,000 pull requests, then pages
// through the open list, the App's periodic sweep.
func BenchmarkOpenPRsAndList(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b, Options{})
		e.sim.SetWebhookURL("")
		b.StartTimer()
		for i := range 1000 {
			br := "b" + strconv.Itoa(i)
			if _, err := e.sim.Push("acme", "payments", br, map[string]string{"deploy/prod/" + br + ".yaml": "x\n"}, nil, "alice"); err != nil {
				b.Fatal(err)
			}
			if _, err := e.sim.OpenPR("acme", "payments", PROptions{Head: br, Author: "alice"}); err != nil {
				b.Fatal(err)
			}
		}
		opts := &github.PullRequestListOptions{ListOptions: github.ListOptions{PerPage: 100}}
		for {
			_, resp, err := e.gh.PullRequests.List(context.Background(), "acme", "payments", opts)
			if err != nil {
				b.Fatal(err)
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
	}
}

// TestConcurrentUse hammers the simulator from several goroutines, REST
// and Go API mixed, for the race detector.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, Options{})
	n, _ := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				switch w {
				case 0:
					_, err := e.sim.SubmitReview("acme", "payments", n, "bob", "APPROVE", "")
					must(t, err)
				case 1:
					_, err := e.sim.Push("acme", "payments", "scale", map[string]string{"f": strconv.Itoa(i)}, nil, "alice")
					must(t, err)
				case 2:
					pr, _, err := e.gh.PullRequests.Get(ctx, "acme", "payments", n)
					must(t, err)
					_, _, err = e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{Name: "c", HeadSHA: pr.GetHead().GetSHA()})
					must(t, err)
				case 3:
					_, _, err := e.gh.PullRequests.ListReviews(ctx, "acme", "payments", n, nil)
					must(t, err)
					e.sim.Calls()
				}
			}
		}()
	}
	wg.Wait()
	e.sim.WaitDeliveries()
	if got := len(e.sim.Deliveries()); got < 40 {
		t.Errorf("deliveries = %d, want at least 40", got)
	}
}
