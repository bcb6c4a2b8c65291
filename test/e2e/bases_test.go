package e2e

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// mainCheck is the check that protects main per base ("zgate/<gate>: <base>").
const mainCheck = gateCheck + ": main"

// weakPolicy is what an attacker who can push to some branch writes there:
// the production gate opens on one approval.
const weakPolicy = `version: 1
gates:
  - name: production
    controls:
      teams: {from: codeowners, fresh: head}
    quorum: 1
    then:
      merge: {method: squash}
`

// waitRun waits until some check run on sha satisfies ok, whatever its name.
func (w *world) waitRun(sha, what string, ok func(githubsim.CheckRun) bool) githubsim.CheckRun {
	w.t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		for _, c := range w.sim.CheckRuns(owner, repoName, sha) {
			if ok(c) {
				return c
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	var names []string
	for _, c := range w.sim.CheckRuns(owner, repoName, sha) {
		names = append(names, c.Name+"="+c.Status+"/"+c.Conclusion)
	}
	w.t.Fatalf("no check run on %s is %s within %v; runs %v", sha[:7], what, waitFor, names)
	return githubsim.CheckRun{}
}

// named matches the latest-seen run of one check name.
func named(name string, ok func(githubsim.CheckRun) bool) func(githubsim.CheckRun) bool {
	return func(c githubsim.CheckRun) bool { return c.Name == name && ok(c) }
}

func isPending(c githubsim.CheckRun) bool { return c.Status == "in_progress" }
func isSuccess(c githubsim.CheckRun) bool { return c.Conclusion == "success" }

// TestOtherBaseCannotOpenMainsCheck (issue 7, 1.1): a second pull request
// with the same head into another branch, whose policy skips the gate (the
// very policy of main, copied to the branch: production applies to main
// only), must not turn green the check that protects main, so a person
// cannot merge the first pull request into main without its approvals,
// whichever of the check names branch protection requires.
func TestOtherBaseCannotOpenMainsCheck(t *testing.T) {
	w := newWorld(t)
	w.serve()
	_, err := w.sim.Push(owner, repoName, "weak", map[string]string{"notes.txt": "anything\n"}, nil, "mallory")
	must(t, err)
	n1, head := w.openPR("scale", nil)
	w.waitRun(head, mainCheck+" pending", named(mainCheck, isPending))
	w.pendingWith(head, 0) // the legacy name too: main is the default branch

	n2, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "scale", Base: "weak", Title: "same head, other base", Author: "alice"})
	must(t, err)
	// PR #2's evaluation against weak's policy: the gate is skipped there.
	w.waitRun(head, "skipped by the evaluation against weak", func(c githubsim.CheckRun) bool {
		return strings.HasPrefix(c.Name, gateCheck) && c.Conclusion == "skipped"
	})
	time.Sleep(300 * time.Millisecond) // let anything else PR #2 caused land

	for _, required := range [][]string{{gateCheck}, {mainCheck}} {
		must(t, w.sim.SetRequiredChecks(owner, repoName, "main", required))
		if _, err := w.sim.MergePR(owner, repoName, n1, "alice", head, "merge"); !errors.Is(err, githubsim.ErrRefused) {
			t.Fatalf("a person merged PR #%d into main with no approval while main requires %v (err %v)", n1, required, err)
		}
	}
	w.assertNotMerged(n1)
	w.assertNotMerged(n2)

	// Both names protect main; the gate still opens and zgate merges once
	// main's own policy holds.
	must(t, w.sim.SetRequiredChecks(owner, repoName, "main", []string{gateCheck, mainCheck}))
	w.approve(n1, "carol")
	w.approve(n1, "dave")
	w.waitRun(head, mainCheck+" success", named(mainCheck, isSuccess))
	w.waitMerged(n1)
}

// TestRetargetRaceCannotMergeIntoMain (issue 7, 1.1): a pull request into
// a branch whose (attacker-written) policy opens the gate on one approval
// is retargeted to main between zgate's last read and its merge call. The
// merge API guards only the head SHA, so branch protection of main must
// refuse: its required check was never produced by an evaluation against
// main. Without any protection on main the merge lands (zgate cannot stop
// it) and zgate records it at Error level.
func TestRetargetRaceCannotMergeIntoMain(t *testing.T) {
	for _, tc := range []struct {
		name     string
		required []string
	}{
		{"legacy name required", []string{gateCheck}},
		{"per-base name required", []string{mainCheck}},
		{"main unprotected", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			must(t, w.sim.SetRequiredChecks(owner, repoName, "main", tc.required))
			p := w.serve()
			_, err := w.sim.Push(owner, repoName, "weak", map[string]string{".github/zgate.yml": weakPolicy}, nil, "mallory")
			must(t, err)
			head, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 50\n"}, nil, "mallory")
			must(t, err)
			n, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "scale", Base: "weak", Title: "harmless", Author: "mallory"})
			must(t, err)
			mainBefore := w.branchHead("main")

			retargeted := make(chan struct{})
			var once sync.Once
			w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/merge") {
					once.Do(func() {
						// After zgate's last read, before its merge lands.
						must(t, w.sim.ChangeBase(owner, repoName, n, "main", "mallory"))
						close(retargeted)
					})
				}
				return false
			})
			w.approve(n, "carol") // one approval: weak's gate opens
			select {
			case <-retargeted:
			case <-time.After(waitFor):
				t.Fatal("zgate never tried to merge under weak's policy")
			}
			if tc.required != nil {
				// The evaluation against main follows the retarget.
				w.waitRun(head, mainCheck+" pending", named(mainCheck, isPending))
			}
			time.Sleep(300 * time.Millisecond)
			pr, err := w.sim.PullRequest(owner, repoName, n)
			must(t, err)
			if tc.required == nil {
				// Documented limit: nothing stops a merge into an
				// unprotected branch; zgate must say so loudly.
				if !pr.Merged {
					t.Fatalf("unprotected main: merge refused; the test does not exercise the race")
				}
				w.waitAudit("merge_base_changed", 1)
				if !p.logged(`"level":"ERROR"`, `"merged_into":"main"`) {
					t.Error("no Error-level log line says the merge landed in main")
				}
				return
			}
			if pr.Merged || w.branchHead("main") != mainBefore {
				t.Fatalf("zgate's merge landed in main with one approval (main requires %v): %+v", tc.required, pr)
			}
		})
	}
}

// branchHead returns the commit a branch points at.
func (w *world) branchHead(branch string) string {
	w.t.Helper()
	sha, err := w.sim.BranchSHA(owner, repoName, branch)
	must(w.t, err)
	return sha
}

// logged reports whether one log line of the process holds every part.
func (p *proc) logged(parts ...string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.logs {
		all := true
		for _, part := range parts {
			all = all && strings.Contains(l, part)
		}
		if all {
			return true
		}
	}
	return false
}
