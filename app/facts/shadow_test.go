package facts

import (
	"context"
	"testing"
)

// TestPolicyNotShadowedByTag: a tag named like the base branch must not
// decide which policy and CODEOWNERS gate a pull request. git, and
// GitHub's ref parameters with it, resolve a bare name to refs/tags/<name>
// before refs/heads/<name>; anyone who can push a tag could otherwise
// pick the policy their own pull request is judged by.
func TestPolicyNotShadowedByTag(t *testing.T) {
	t.Run("read at the branch", func(t *testing.T) { testPolicyNotShadowedByTag(t, &Gatherer{}) })
	t.Run("cached per branch head", func(t *testing.T) { testPolicyNotShadowedByTag(t, &Gatherer{Configs: NewConfigCache(1 << 20)}) })
}

func testPolicyNotShadowedByTag(t *testing.T, g *Gatherer) {
	w := newWorld(t, nil, nil)
	weak, err := w.env.Sim.Push(owner, repoName, "weak", map[string]string{
		".github/zgate.yml":  testdata(t, "weakened.yml"),
		".github/CODEOWNERS": "* @alice\n",
	}, nil, "mallory")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.env.Sim.CreateTag(owner, repoName, "main", weak); err != nil {
		t.Fatal(err)
	}
	res, err := g.Gather(context.Background(), w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	if res.Policy == nil {
		t.Fatalf("no policy: %v", res.PolicyErr)
	}
	if got := res.Policy.Gates[0].Quorum; got != 2 {
		t.Errorf("quorum = %d, want 2 (the policy of branch main, not of tag main)", got)
	}
	if got := res.Facts.Codeowners.OwnersOf([]string{"deploy/prod/app.yaml"}); len(got) != 2 {
		t.Errorf("CODEOWNERS owners of deploy/prod = %v, want @acme/sre @acme/security (branch main, not tag main)", got)
	}
}
