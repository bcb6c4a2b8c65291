package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// evilPolicy is what an attacker who can push a branch writes into it: a
// gate that dispatches the production deploy on one approval of an
// accomplice.
const evilPolicy = `version: 1
gates:
  - name: pwn
    controls:
      teams:
        from: ["@carol"]
    quorum: 1
    window: 24h
    then:
      dispatch: {workflow: deploy.yml, ref: main, inputs: {env: production}}
`

// TestDispatchNeedsATrustedBase: anyone who can push a branch writes its
// policy, so a pull request into a branch the attacker created must not
// make zgate dispatch the deploy workflow under that branch's policy. Once
// the branch is protected (its policy changes go through review), the same
// gate dispatches.
func TestDispatchNeedsATrustedBase(t *testing.T) {
	w := newWorld(t)
	w.serve()
	_, err := w.sim.Push(owner, repoName, "evil", map[string]string{".github/zgate.yml": evilPolicy}, nil, "mallory")
	must(t, err)
	head, err := w.sim.Push(owner, repoName, "attack", map[string]string{"notes.txt": "x\n"}, nil, "mallory")
	must(t, err)
	n, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: "attack", Base: "evil", Title: "harmless", Author: "mallory"})
	must(t, err)
	w.approve(n, "carol")

	const check = "zgate/pwn: evil"
	refused := w.waitRun(head, check+" failing with the reason", named(check, func(c githubsim.CheckRun) bool {
		return c.Conclusion == "failure"
	}))
	if text := checkText(refused); !strings.Contains(text, "not protected") {
		t.Errorf("check %s says %q, want it to say the branch is not protected", check, text)
	}
	time.Sleep(300 * time.Millisecond) // let anything else the approval caused land
	if ds := w.sim.Dispatches(owner, repoName); len(ds) != 0 {
		t.Fatalf("zgate dispatched %d times under the policy of an unprotected branch: %+v", len(ds), ds)
	}

	must(t, w.sim.SetRequiredChecks(owner, repoName, "evil", []string{check}))
	w.approve(n, "carol") // any event re-evaluates
	deadline := time.Now().Add(waitFor)
	for len(w.sim.Dispatches(owner, repoName)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := len(w.sim.Dispatches(owner, repoName)); got != 1 {
		t.Errorf("dispatches once the branch is protected = %d, want 1", got)
	}
}
