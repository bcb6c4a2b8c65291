package e2e

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestApprovalsDoNotFollowARetarget (red team): approvals are bound to the
// head commit, but what a reviewer approves is the change, the head
// against the base. mallory pushes an unreviewed commit E to a branch of
// her own ("weak") and opens a pull request into weak whose diff shows
// only an innocent commit S on top of E. carol and dave approve S. mallory
// then retargets the pull request to main: the head is the same commit,
// so the approvals are still "fresh", and main's gate would open on them
// and merge E, which nobody approved, into main. Approvals given before
// the base changed must not count for the new base.
func TestApprovalsDoNotFollowARetarget(t *testing.T) {
	w := newWorld(t)
	w.serve()
	evil, err := w.sim.Push(owner, repoName, "weak", map[string]string{"deploy/prod/db.yml": "backups: false\n"}, nil, "mallory")
	must(t, err)
	must(t, w.sim.MoveBranch(owner, repoName, "scale", evil, "mallory"))
	head, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 5\n"}, nil, "mallory")
	must(t, err)
	n, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "scale", Base: "weak", Title: "Scale payments to 5", Author: "mallory"})
	must(t, err)
	// Into weak the pull request shows one file: the innocent change.
	w.waitRun(head, "weak's evaluation", func(c githubsim.CheckRun) bool {
		return c.Name == gateCheck+": weak"
	})
	w.approve(n, "carol")
	w.approve(n, "dave")
	time.Sleep(300 * time.Millisecond)

	must(t, w.sim.ChangeBase(owner, repoName, n, "main", "mallory"))
	// main's evaluation follows; give it time to (wrongly) merge.
	w.waitRun(head, mainCheck+" decided", named(mainCheck, func(githubsim.CheckRun) bool { return true }))
	time.Sleep(time.Second)
	pr, err := w.sim.PullRequest(owner, repoName, n)
	must(t, err)
	if pr.Merged {
		t.Fatalf("PR #%d merged into main on approvals given while its base was weak: the unreviewed commit %s (deploy/prod/db.yml) landed in main", n, evil[:7])
	}
	c := w.pendingWith(head, 0)
	if !strings.Contains(checkText(c), "before the base branch changed to main") {
		t.Errorf("check on %s does not say why the approvals did not count:\n%s", head[:7], checkText(c))
	}
	// Approvals given on the change into main count.
	nextSecond() // GitHub dates reviews in whole seconds
	w.approve(n, "carol")
	w.approve(n, "dave")
	w.waitMerged(n)
}

// TestEarlierPusherCannotApprove (red team): under the default pushers
// rule ("all": an approver wrote none of the change), carol pushes the
// real change to a branch, alice pushes a trivial commit on top and opens
// the pull request. zgate recorded carol's push (a push delivery); her
// commit is not the head and her push was not "to the pull request", but
// she wrote part of the change: her approval must not count, or one
// independent reviewer (dave) would complete a quorum of two.
func TestEarlierPusherCannotApprove(t *testing.T) {
	w := newWorld(t)
	w.serve()
	_, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 0\n"}, nil, "carol")
	must(t, err)
	head, err := w.sim.Push(owner, repoName, "scale", map[string]string{"notes.txt": "typo fixed\n"}, nil, "alice")
	must(t, err)
	n, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "scale", Base: "main", Title: "Scale payments", Author: "alice"})
	must(t, err)
	w.pendingWith(head, 0)
	w.approve(n, "carol")
	w.approve(n, "dave")
	time.Sleep(time.Second)
	w.assertNotMerged(n)
	c := w.pendingWith(head, 1)
	if !strings.Contains(checkText(c), "carol pushed") {
		t.Errorf("check on %s does not say why carol's approval did not count:\n%s", head[:7], checkText(c))
	}
}

// TestPolicyChangeIsGated (red team): the production gate applies to
// deploy/prod/** only, so a pull request that changes nothing but the
// policy and CODEOWNERS on main is not gated at all: its check is
// "skipped", which branch protection counts as passing, and anyone with
// write access merges it with no approval. From then on main's own policy
// is the attacker's: one approval by platform opens production. A change
// to what protects a base must need that protection's quorum.
func TestPolicyChangeIsGated(t *testing.T) {
	w := newWorld(t)
	w.serve()
	weakened := strings.Replace(policyFile, "quorum: 2", "quorum: 1", 1)
	n, head := w.openPR("tidy", map[string]string{
		".github/zgate.yml":  weakened,
		".github/CODEOWNERS": "*  @acme/platform\n",
	})
	w.waitRun(head, mainCheck+" decided", named(mainCheck, func(c githubsim.CheckRun) bool { return c.Status == "completed" }))
	if _, err := w.sim.MergePR(owner, repoName, n, "alice", head, "merge"); err == nil {
		pr2, head2 := w.openPR("scale", nil)
		w.approve(pr2, "pat") // platform only: one team, one person
		time.Sleep(time.Second)
		merged, _ := w.sim.PullRequest(owner, repoName, pr2)
		t.Fatalf("PR #%d rewrote main's policy and CODEOWNERS with no approval; then PR #%d (%s) merged=%v on one approval by platform",
			n, pr2, head2[:7], merged.Merged)
	}
	// Gated by main's production gate: platform alone owns the two files,
	// and one team cannot make a quorum of two.
	w.waitRun(head, mainCheck+" failure", named(mainCheck, func(c githubsim.CheckRun) bool { return c.Conclusion == "failure" }))
}

// TestFilesOfAnotherHead (red team): zgate reads the pull request (head X)
// and then its changed files, which GitHub computes for whatever the head
// is at that moment. The author flips the branch to Y (no production file)
// between the two reads and back to X right after: the evaluation judges X
// with Y's files, so production does not apply and its check on X reads
// "skipped", which branch protection counts as passing, while X changes
// deploy/prod. A person merges X before zgate's next evaluation.
func TestFilesOfAnotherHead(t *testing.T) {
	w := newWorld(t)
	w.serve()
	y, err := w.sim.Push(owner, repoName, "scale", map[string]string{"notes.txt": "harmless\n"}, nil, "alice")
	must(t, err)
	n, headX := w.openPR("scale", map[string]string{"deploy/prod/payments.yml": "replicas: 0\n"})
	w.pendingWith(headX, 0)

	w.flipWhileListingFiles(n,
		func() { must(t, w.sim.MoveBranch(owner, repoName, "scale", y, "alice")) },
		func() { must(t, w.sim.MoveBranch(owner, repoName, "scale", headX, "alice")) })
	if _, err := w.sim.MergePR(owner, repoName, n, "alice", headX, "merge"); err == nil {
		t.Fatalf("PR #%d merged at %s (it changes deploy/prod) with no approval: the gate was judged with the files of %s", n, headX[:7], y[:7])
	}
}

// TestFilesOfAnotherBase (red team): the same trick with the base. zgate
// reads the pull request (base main) and then its files, which GitHub
// computes against whatever the base is then. mallory retargets to her
// branch weak (main plus her unreviewed production commit E) between the
// two reads and back to main right after: main's policy judges only the
// harmless change on top of E, production does not apply, and main's
// check on the head reads "skipped" while the pull request brings E into
// main. A person merges before zgate's next evaluation.
func TestFilesOfAnotherBase(t *testing.T) {
	w := newWorld(t)
	w.serve()
	evil, err := w.sim.Push(owner, repoName, "weak", map[string]string{"deploy/prod/db.yml": "backups: false\n"}, nil, "mallory")
	must(t, err)
	must(t, w.sim.MoveBranch(owner, repoName, "scale", evil, "mallory"))
	head, err := w.sim.Push(owner, repoName, "scale", map[string]string{"notes.txt": "harmless\n"}, nil, "mallory")
	must(t, err)
	n, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "scale", Base: "main", Title: "Notes", Author: "mallory"})
	must(t, err)
	w.pendingWith(head, 0)

	w.flipWhileListingFiles(n,
		func() { must(t, w.sim.ChangeBase(owner, repoName, n, "weak", "mallory")) },
		func() { must(t, w.sim.ChangeBase(owner, repoName, n, "main", "mallory")) })
	if _, err := w.sim.MergePR(owner, repoName, n, "mallory", head, "merge"); err == nil {
		t.Fatalf("PR #%d merged into main with no approval: judged against weak's files, so %s (deploy/prod/db.yml) landed", n, evil[:7])
	}
}

// TestRenamedPusherCannotApprove (red team): zgate records who pushed by
// login, but anyone can rename their GitHub account. carol pushes to
// alice's pull request, renames herself carol2 (same account, same team
// memberships; GitHub sends no webhook) and approves: her push must still
// make her an author.
func TestRenamedPusherCannotApprove(t *testing.T) {
	w := newWorld(t)
	w.serveArgs = []string{"--membership-ttl", "1ms"}
	w.serve()
	n, _ := w.openPR("scale", nil)
	head, err := w.sim.Push(owner, repoName, "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 6\n"}, nil, "carol")
	must(t, err)
	w.pendingWith(head, 0)
	must(t, w.sim.RenameUser("carol", "carol2"))
	w.approve(n, "carol2")
	w.approve(n, "dave")
	time.Sleep(time.Second)
	w.assertNotMerged(n)
}

// flipWhileListingFiles answers zgate's first read of pull request n's
// files as GitHub would between flip and unflip (called just before and
// just after it), then holds zgate's next read of the pull request until
// the test ends, so the test can act on what the flipped evaluation
// published. It triggers an evaluation and returns once that one had
// time to publish.
func (w *world) flipWhileListingFiles(n int, flip, unflip func()) {
	w.t.Helper()
	var flipped, holding atomic.Bool
	release := make(chan struct{})
	w.t.Cleanup(func() { close(release) })
	files, pull := "/pulls/"+strconv.Itoa(n)+"/files", "/pulls/"+strconv.Itoa(n)
	w.setHook(func(rw http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, files) && flipped.CompareAndSwap(false, true):
			// Between zgate's read of the pull request and of its files.
			flip()
			rec := httptest.NewRecorder()
			w.sim.Handler().ServeHTTP(rec, r)
			unflip()
			holding.Store(true)
			for k, v := range rec.Header() {
				rw.Header()[k] = v
			}
			rw.WriteHeader(rec.Code)
			_, _ = rw.Write(rec.Body.Bytes())
			return true
		case holding.Load() && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, pull):
			// zgate's next evaluation waits until the person tried to merge.
			<-release
		}
		return false
	})
	w.approve(n, "pat") // any event
	deadline := time.Now().Add(waitFor)
	for !holding.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // let the flipped evaluation publish
}
