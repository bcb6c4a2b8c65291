package facts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

const (
	owner    = "acme"
	repoName = "payments"
)

func testdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// world is acme/payments on the simulator with the test policy and
// CODEOWNERS on main, teams, and PR #1 from alice touching prod manifests.
type world struct {
	env  *ghclienttest.Env
	gh   *github.Client
	pr   int
	head string
}

func newWorld(t testing.TB, baseFiles map[string]string, prFiles map[string]string) *world {
	t.Helper()
	return newWorldEdit(t, baseFiles, prFiles, nil)
}

// newWorldEdit is newWorld with edit adjusting the client configuration.
func newWorldEdit(t testing.TB, baseFiles map[string]string, prFiles map[string]string, edit func(*ghclient.Config)) *world {
	t.Helper()
	env := ghclienttest.New(t, edit)
	sim := env.Sim
	if baseFiles == nil {
		baseFiles = map[string]string{
			".github/zgate.yml":  testdata(t, "zgate.yml"),
			".github/CODEOWNERS": testdata(t, "CODEOWNERS"),
		}
	}
	if err := sim.CreateRepo(owner, repoName, baseFiles); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ team, user, state string }{
		{"sre", "bob", "active"}, {"sre", "carol", "active"}, {"security", "dave", "active"},
		{"security", "erin", "pending"}, {"incident-commanders", "frank", "active"}, {"platform", "pat", "active"},
	} {
		if err := sim.AddTeamMember(owner, m.team, m.user, m.state); err != nil {
			t.Fatal(err)
		}
	}
	if prFiles == nil {
		prFiles = map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"}
	}
	head, err := sim.Push(owner, repoName, "feature", prFiles, nil, "alice")
	if err != nil {
		t.Fatal(err)
	}
	n, err := sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "feature", Base: "main", Title: "scale", Author: "alice", Labels: []string{"deploy"}})
	if err != nil {
		t.Fatal(err)
	}
	return &world{env: env, gh: env.Client(t, owner), pr: n, head: head}
}

// fakeAttestations is an AttestationSource returning fixed answers.
type fakeAttestations struct {
	gotTypes []string
	err      error
}

func (f *fakeAttestations) Attestations(ctx context.Context, gh *github.Client, owner, repo, sha string, types []string) ([]policy.Attestation, []policy.RejectedAttestation, error) {
	f.gotTypes = types
	if f.err != nil {
		return nil, nil, f.err
	}
	return []policy.Attestation{{PredicateType: types[0], Commit: sha}},
		[]policy.RejectedAttestation{{Source: "bundle-2", Reason: "not signed"}}, nil
}

func TestGather(t *testing.T) {
	w := newWorld(t, nil, map[string]string{
		"deploy/prod/app.yaml": "replicas: 3\n",
		// The PR tries to weaken its own gate: the base's policy must win.
		".github/zgate.yml": testdata(t, "weakened.yml"),
	})
	sim := w.env.Sim
	if _, err := sim.SubmitReview(owner, repoName, w.pr, "bob", "APPROVE", "lgtm"); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.SubmitReview(owner, repoName, w.pr, "dependabot[bot]", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Comment(owner, repoName, w.pr, "frank", "/zgate override outage"); err != nil {
		t.Fatal(err)
	}
	src := &fakeAttestations{}
	g := &Gatherer{Attestations: src, Members: NewMembershipCache(time.Minute, nil)}
	res, err := g.Gather(context.Background(), w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatalf("Gather() error = %v", err)
	}
	if res.PolicyErr != nil || res.Policy == nil {
		t.Fatalf("policy = %v, %v; want the base policy", res.Policy, res.PolicyErr)
	}
	if got := res.Policy.Gates[0].Quorum; got != 2 {
		t.Errorf("policy quorum = %d, want 2 (the base branch's, not the PR's weakened copy)", got)
	}
	if res.PolicyFile != ".github/zgate.yml" || res.CodeownersFile != ".github/CODEOWNERS" {
		t.Errorf("files = %q, %q", res.PolicyFile, res.CodeownersFile)
	}
	f := res.Facts
	if f.Codeowners == nil {
		t.Error("Codeowners = nil, want the base CODEOWNERS")
	}
	f.Codeowners = nil
	for i := range f.Reviews {
		if f.Reviews[i].ID == 0 {
			t.Errorf("review %d has no id", i)
		}
		f.Reviews[i].SubmittedAt, f.Reviews[i].ID = time.Time{}, 0
	}
	for i := range f.Comments {
		f.Comments[i].CreatedAt = time.Time{}
		f.Comments[i].UpdatedAt = nil
	}
	want := policy.Facts{
		Repository: "acme/payments",
		PullRequest: policy.PullRequest{
			Number: w.pr, Author: "alice", Base: "main", HeadSHA: w.head, Labels: []string{"deploy"},
			ChangedFiles: []string{".github/zgate.yml", "deploy/prod/app.yaml"},
		},
		Reviews: []policy.Review{
			{User: "bob", State: "APPROVED", CommitID: w.head},
			{User: "dependabot[bot]", State: "APPROVED", CommitID: w.head},
		},
		Comments: []policy.Comment{{User: "frank", Body: "/zgate override outage"}},
		Teams: map[string][]string{
			// platform owns .github/zgate.yml but the gate's paths exclude it.
			"acme/incident-commanders": {"frank"},
			"acme/security":            {"dave"},
			"acme/sre":                 {"bob", "carol"},
		},
		Bots:                 []string{"dependabot[bot]"},
		Attestations:         []policy.Attestation{{PredicateType: "https://zgate.dev/ci-result/v1", Commit: w.head}},
		RejectedAttestations: []policy.RejectedAttestation{{Source: "bundle-2", Reason: "not signed"}},
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"https://zgate.dev/ci-result/v1"}, src.gotTypes); diff != "" {
		t.Errorf("predicate types asked (-want +got):\n%s", diff)
	}
}

func TestGatherPolicyProblems(t *testing.T) {
	tests := []struct {
		name     string
		base     map[string]string
		wantIs   error
		wantFile string
	}{
		{name: "no policy", base: map[string]string{"README.md": "x"}, wantIs: ErrNoPolicy, wantFile: ".github/zgate.yml"},
		{name: "invalid policy", base: map[string]string{".github/zgate.yml": testdata(t, "invalid.yml")}, wantIs: policy.ErrInvalid, wantFile: ".github/zgate.yml"},
		{name: "yaml extension", base: map[string]string{".github/zgate.yaml": testdata(t, "invalid.yml")}, wantIs: policy.ErrInvalid, wantFile: ".github/zgate.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.base, nil)
			res, err := (&Gatherer{}).Gather(context.Background(), w.gh, owner, repoName, w.pr)
			if err != nil {
				t.Fatalf("Gather() error = %v", err)
			}
			if !errors.Is(res.PolicyErr, tt.wantIs) || res.Policy != nil {
				t.Errorf("PolicyErr = %v, want %v", res.PolicyErr, tt.wantIs)
			}
			if res.PolicyFile != tt.wantFile {
				t.Errorf("PolicyFile = %q, want %q", res.PolicyFile, tt.wantFile)
			}
			if res.HeadSHA != w.head || res.BaseRef != "main" {
				t.Errorf("head, base = %q, %q; want %q, main", res.HeadSHA, res.BaseRef, w.head)
			}
		})
	}
}

func TestGatherFailsClosed(t *testing.T) {
	t.Run("unknown team", func(t *testing.T) {
		w := newWorld(t, map[string]string{
			".github/zgate.yml":  testdata(t, "zgate.yml"),
			".github/CODEOWNERS": "/deploy/ @acme/ghosts\n",
		}, nil)
		res, err := (&Gatherer{}).Gather(context.Background(), w.gh, owner, repoName, w.pr)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Facts.Unavailable) != 1 || !strings.Contains(res.Facts.Unavailable[0], "@acme/ghosts") {
			t.Errorf("Unavailable = %q, want one entry naming @acme/ghosts", res.Facts.Unavailable)
		}
		if _, ok := res.Facts.Teams["acme/ghosts"]; ok {
			t.Error("Teams has acme/ghosts, want it absent")
		}
	})
	t.Run("attestations unreadable", func(t *testing.T) {
		w := newWorld(t, nil, nil)
		g := &Gatherer{Attestations: &fakeAttestations{err: errors.New("boom")}}
		res, err := g.Gather(context.Background(), w.gh, owner, repoName, w.pr)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Facts.Unavailable) != 1 || !strings.Contains(res.Facts.Unavailable[0], "attestations") {
			t.Errorf("Unavailable = %q, want the attestations", res.Facts.Unavailable)
		}
	})
	t.Run("more than 3000 files", func(t *testing.T) {
		files := map[string]string{}
		for i := range 3001 {
			files[fmt.Sprintf("deploy/prod/f%04d.yaml", i)] = "x"
		}
		w := newWorld(t, nil, files)
		res, err := (&Gatherer{}).Gather(context.Background(), w.gh, owner, repoName, w.pr)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Facts.PullRequest.ChangedFilesTruncated {
			t.Error("ChangedFilesTruncated = false, want true")
		}
		if got := len(res.Facts.PullRequest.ChangedFiles); got != 3000 {
			t.Errorf("changed files = %d, want GitHub's cap of 3000", got)
		}
	})
}

func TestMembershipCache(t *testing.T) {
	w := newWorld(t, nil, nil)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	cache := NewMembershipCache(time.Minute, func() time.Time { return now })
	ctx := context.Background()
	const route = "GET /orgs/{org}/teams/{team}/members"
	get := func() []string {
		t.Helper()
		m, err := cache.Members(ctx, w.gh, "acme", "SRE")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	calls := func() int { return w.env.Counter.Counts()[route] }

	if diff := cmp.Diff([]string{"bob", "carol"}, get()); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	get()
	if got := calls(); got != 1 {
		t.Errorf("calls within TTL = %d, want 1", got)
	}
	if err := w.env.Sim.RemoveTeamMember("acme", "sre", "carol"); err != nil {
		t.Fatal(err)
	}
	cache.Invalidate("Acme", "sre")
	if diff := cmp.Diff([]string{"bob"}, get()); diff != "" {
		t.Errorf("members after Invalidate (-want +got):\n%s", diff)
	}
	cache.InvalidateOrg("ACME")
	get()
	now = now.Add(2 * time.Minute)
	get()
	if got := calls(); got != 4 {
		t.Errorf("calls = %d, want 4 (first, Invalidate, InvalidateOrg, TTL expiry)", got)
	}
}

func TestOpenPRs(t *testing.T) {
	w := newWorld(t, nil, nil)
	if _, err := w.env.Sim.Push(owner, repoName, "other", map[string]string{"x": "y"}, nil, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.Sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "other", Base: "feature", Title: "stacked", Author: "bob"}); err != nil {
		t.Fatal(err)
	}
	got, err := (&Gatherer{}).OpenPRs(context.Background(), w.gh, owner, repoName, "main")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{w.pr}, got); diff != "" {
		t.Errorf("open PRs on main (-want +got):\n%s", diff)
	}
}

// BenchmarkGatherCalls reports the GitHub calls one evaluation costs,
// cold (first) and warm (unchanged PR: ETag 304s and cached membership).
func BenchmarkGatherCalls(b *testing.B) {
	w := newWorld(b, nil, nil)
	if _, err := w.env.Sim.SubmitReview(owner, repoName, w.pr, "bob", "APPROVE", ""); err != nil {
		b.Fatal(err)
	}
	g := &Gatherer{Members: NewMembershipCache(time.Hour, nil)}
	ctx := context.Background()
	w.env.Counter.Reset()
	if _, err := g.Gather(ctx, w.gh, owner, repoName, w.pr); err != nil {
		b.Fatal(err)
	}
	cold, _ := w.env.Counter.Total()
	w.env.Counter.Reset()
	b.ResetTimer()
	for range b.N {
		if _, err := g.Gather(ctx, w.gh, owner, repoName, w.pr); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	warm, notModified := w.env.Counter.Total()
	b.ReportMetric(float64(cold), "cold-calls")
	b.ReportMetric(float64(warm)/float64(b.N), "warm-calls/op")
	b.ReportMetric(float64(notModified)/float64(b.N), "warm-304s/op")
}

// cmpCodeowners compares parsed CODEOWNERS by file name only.
var cmpCodeowners = cmp.Comparer(func(a, b *codeowners.File) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Path == b.Path
})

func TestMembershipCacheSharesFetches(t *testing.T) {
	w := newWorld(t, nil, nil)
	cache := NewMembershipCache(time.Hour, nil)
	ctx := context.Background()
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := cache.Members(ctx, w.gh, "acme", "sre")
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := w.env.Counter.Counts()["GET /orgs/{org}/teams/{team}/members"]; got != 1 {
		t.Errorf("member list calls = %d, want 1 shared by 8 concurrent readers", got)
	}
}
