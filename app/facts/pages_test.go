package facts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/attest"
)

// TestListsGrowAcrossPages: every list the facts are gathered from is read
// to its end while it grows across page boundaries, also when its pages
// come from the ETag cache (a full cached page must not end a list).
func TestListsGrowAcrossPages(t *testing.T) {
	ctx := context.Background()
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, tt := range []struct {
		name string
		// grow adds items to the world's PR (or repository, or team) so
		// the list holds n; have is how many it holds already.
		grow func(t *testing.T, w *world, have, n int)
		read func(t *testing.T, w *world) int
		// extra is how many items the list holds before grow adds any.
		extra int
	}{
		{
			name: "reviews",
			grow: func(t *testing.T, w *world, have, n int) {
				for i := have; i < n; i++ {
					if _, err := w.env.Sim.SubmitReview(owner, repoName, w.pr, fmt.Sprintf("reviewer%03d", i), "APPROVE", ""); err != nil {
						t.Fatal(err)
					}
				}
			},
			read: func(t *testing.T, w *world) int {
				rs, err := reviews(ctx, w.gh, nil, owner, repoName, w.pr)
				if err != nil {
					t.Fatal(err)
				}
				return len(rs)
			},
		},
		{
			name: "issue comments",
			grow: func(t *testing.T, w *world, have, n int) {
				for i := have; i < n; i++ {
					if _, err := w.env.Sim.Comment(owner, repoName, w.pr, "pat", fmt.Sprintf("comment %d", i)); err != nil {
						t.Fatal(err)
					}
				}
			},
			read: func(t *testing.T, w *world) int {
				cs, err := comments(ctx, w.gh, owner, repoName, w.pr, newBotSet())
				if err != nil {
					t.Fatal(err)
				}
				return len(cs)
			},
		},
		{
			name:  "pull request files",
			extra: 1, // deploy/prod/app.yaml
			grow: func(t *testing.T, w *world, have, n int) {
				files := map[string]string{}
				for i := have; i < n; i++ {
					files[fmt.Sprintf("docs/f%03d.md", i)] = "x\n"
				}
				if _, err := w.env.Sim.Push(owner, repoName, "feature", files, nil, "alice"); err != nil {
					t.Fatal(err)
				}
			},
			read: func(t *testing.T, w *world) int {
				head, err := w.env.Sim.BranchSHA(owner, repoName, "feature")
				if err != nil {
					t.Fatal(err)
				}
				fs, truncated, err := changedFiles(ctx, w.gh, nil, nil, owner, repoName, w.pr, head, 0)
				if err != nil || truncated {
					t.Fatalf("changedFiles: truncated %v, err %v", truncated, err)
				}
				return len(fs)
			},
		},
		{
			// Newest first, and each pull request embeds its repository
			// (open_issues_count): page 1 changes as the list grows, so
			// this guards the loop rather than the cache.
			name:  "open pull requests",
			extra: 1, // the world's PR
			grow: func(t *testing.T, w *world, have, n int) {
				for i := have; i < n; i++ {
					branch := fmt.Sprintf("b%03d", i)
					if _, err := w.env.Sim.Push(owner, repoName, branch, map[string]string{"x.txt": branch}, nil, "alice"); err != nil {
						t.Fatal(err)
					}
					if _, err := w.env.Sim.OpenPR(owner, repoName, githubsim.PROptions{Head: branch, Base: "main", Author: "alice"}); err != nil {
						t.Fatal(err)
					}
				}
			},
			read: func(t *testing.T, w *world) int {
				nums, err := (&Gatherer{}).OpenPRs(ctx, w.gh, owner, repoName, "")
				if err != nil {
					t.Fatal(err)
				}
				return len(nums)
			},
		},
		{
			name:  "pull request commits",
			extra: 1, // the world's PR head
			grow: func(t *testing.T, w *world, have, n int) {
				for i := have; i < n; i++ {
					if _, err := w.env.Sim.Push(owner, repoName, "feature", map[string]string{"n.txt": fmt.Sprint(i)}, nil, "alice"); err != nil {
						t.Fatal(err)
					}
				}
			},
			read: func(t *testing.T, w *world) int {
				shas, err := prCommits(ctx, w.gh, owner, repoName, w.pr)
				if err != nil {
					t.Fatal(err)
				}
				return len(shas)
			},
		},
		{
			name: "base changes on the timeline",
			grow: func(t *testing.T, w *world, have, n int) {
				if have == 0 {
					if _, err := w.env.Sim.Push(owner, repoName, "other", map[string]string{"o.txt": "o"}, nil, "alice"); err != nil {
						t.Fatal(err)
					}
				}
				for i := have; i < n; i++ {
					base := "other"
					if i%2 == 1 {
						base = "main"
					}
					if err := w.env.Sim.ChangeBase(owner, repoName, w.pr, base, "alice"); err != nil {
						t.Fatal(err)
					}
				}
			},
			read: func(t *testing.T, w *world) int {
				changes, err := baseChanges(ctx, w.gh, owner, repoName, w.pr)
				if err != nil {
					t.Fatal(err)
				}
				return len(changes)
			},
		},
		{
			name: "team members",
			grow: func(t *testing.T, w *world, have, n int) {
				for i := have; i < n; i++ {
					if err := w.env.Sim.AddTeamMember(owner, "big", fmt.Sprintf("member%03d", i), "active"); err != nil {
						t.Fatal(err)
					}
				}
			},
			read: func(t *testing.T, w *world) int {
				ms, err := listMembers(ctx, w.gh, owner, "big", false)
				if err != nil {
					t.Fatal(err)
				}
				return len(ms)
			},
		},
		{
			// Paged by cursor, wrapped in {"attestations": [...]}.
			name: "attestations",
			grow: func(t *testing.T, w *world, have, n int) {
				for i := have; i < n; i++ {
					if err := w.env.Sim.AddAttestation(owner, repoName, digest, json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
						t.Fatal(err)
					}
				}
			},
			read: func(t *testing.T, w *world) int {
				bundles, err := attest.FetchBundles(ctx, w.gh, owner, repoName, digest, "")
				if err != nil {
					t.Fatal(err)
				}
				return len(bundles)
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, nil, nil)
			have := tt.extra
			w.env.GrowList(t, perPage, func(t *testing.T, n int) {
				tt.grow(t, w, have, n)
				have = max(have, n)
			}, func(t *testing.T) int { return tt.read(t, w) })
		})
	}
}
