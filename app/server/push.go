package server

import (
	"log/slog"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/engine"
	"github.com/zgate-dev/zgate/app/store"
)

// maxPushCommits is how many commits GitHub lists in a push payload; a
// larger push may hide a policy change, so it re-evaluates regardless.
const maxPushCommits = 20

// handlePush re-evaluates every open pull request of a repository when a
// push to one of its branches changes what gates read from the base
// branch: the policy file or CODEOWNERS. Pushes to a pull request's head
// branch arrive as pull_request synchronize and are handled there.
//
// The key is repository-level ([engine.RepoKey]): the engine lists the open pull
// requests and re-evaluates those whose base is affected.
func handlePush(s *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[github.PushEvent](body)
	if err != nil {
		return outcome{}, err
	}
	branch, ok := strings.CutPrefix(ev.GetRef(), "refs/heads/")
	if !ok {
		return ignore("push to %q, not a branch", ev.GetRef())
	}
	if ev.GetDeleted() {
		return ignore("branch %s deleted", branch)
	}
	// Whoever pushes a commit to any branch is a pusher of that commit: a
	// pull request whose head it becomes cannot count their approval.
	if ev.GetRepo().GetID() == 0 || ev.GetAfter() == "" {
		return outcome{}, errNoHead
	}
	pushed := []store.Push{{RepoID: ev.GetRepo().GetID(), HeadSHA: ev.GetAfter(), Sender: ev.GetSender().GetLogin(), SenderID: ev.GetSender().GetID(), SeenAt: s.cfg.Now()}}
	// Pushes by the App itself (its merges) are not ignored: a merged pull
	// request that changed CODEOWNERS changes every other gate.
	if !pushTouchesGates(ev) {
		return outcome{ignored: "push to " + branch + " leaves the policy and CODEOWNERS alone", pushes: pushed}, nil
	}
	if ev.GetInstallation().GetID() == 0 {
		return outcome{}, errNoInstallation
	}
	repo := ev.GetRepo()
	owner := repo.GetOwner().GetLogin()
	if owner == "" {
		owner = repo.GetOwner().GetName()
	}
	if owner == "" || repo.GetName() == "" {
		return outcome{ignored: "push without a repository owner or name", pushes: pushed}, nil
	}
	return outcome{keys: []store.PRKey{engine.RepoKey(ev.GetInstallation().GetID(), owner, repo.GetName())}, pushes: pushed}, nil
}

// pushTouchesGates reports whether a push may have changed the policy or
// CODEOWNERS. When the payload cannot tell (forced push, more commits than
// listed), it says yes: a wasted re-evaluation is cheap, a missed one is not.
func pushTouchesGates(ev *github.PushEvent) bool {
	if ev.GetForced() || len(ev.Commits) >= maxPushCommits || (len(ev.Commits) == 0 && ev.GetHeadCommit() == nil) {
		return true
	}
	commits := ev.Commits
	if len(commits) == 0 {
		commits = []*github.HeadCommit{ev.GetHeadCommit()}
	}
	for _, c := range commits {
		for _, list := range [][]string{c.Added, c.Modified, c.Removed} {
			for _, p := range list {
				if gateFile(p) {
					return true
				}
			}
		}
	}
	return false
}

// gateFile reports whether a repository path is read by gates from the base
// branch: the policy file or one of CODEOWNERS' locations.
func gateFile(path string) bool {
	switch path {
	case ".github/zgate.yml", ".github/zgate.yaml",
		".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS":
		return true
	}
	return false
}
