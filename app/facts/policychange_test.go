package facts

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// TestPolicyChange reads what a pull request changes of the rules: the
// rule files it touches, the base version (the gates') and the head's,
// and for a CODEOWNERS change the repository's files at the head, or why
// that list is incomplete.
func TestPolicyChange(t *testing.T) {
	t.Run("no rule file", func(t *testing.T) {
		w := newWorld(t, nil, nil)
		pc := w.policyChange(t)
		if pc != nil {
			t.Errorf("PolicyChange = %+v, want nil", pc)
		}
	})
	t.Run("CODEOWNERS", func(t *testing.T) {
		w := newWorld(t, nil, map[string]string{".github/CODEOWNERS": "/deploy/prod/ @acme/sre\n", "deploy/prod/app.yaml": "replicas: 4\n"})
		pc := w.policyChange(t)
		if pc == nil || !slices.Equal(pc.Changed, []string{".github/CODEOWNERS"}) || !pc.CodeownersChanged {
			t.Fatalf("PolicyChange = %+v, want .github/CODEOWNERS changed", pc)
		}
		if got := pc.Head.Codeowners.OwnersOf([]string{"deploy/prod/app.yaml"}); !slices.Equal(got, []string{"@acme/sre"}) {
			t.Errorf("head owners = %v, want the head's CODEOWNERS", got)
		}
		if got := pc.Base.Codeowners.OwnersOf([]string{"deploy/prod/app.yaml"}); len(got) != 2 {
			t.Errorf("base owners = %v, want main's two teams", got)
		}
		if !slices.Contains(pc.Files, "deploy/prod/app.yaml") || !slices.Contains(pc.Files, ".github/zgate.yml") || pc.FilesIncomplete != "" {
			t.Errorf("files = %v (incomplete %q), want the head's whole tree", pc.Files, pc.FilesIncomplete)
		}
		if pc.Head.Policy == nil || pc.Head.PolicyFile != ".github/zgate.yml" {
			t.Errorf("head policy = %v (%v)", pc.Head.Policy, pc.Head.PolicyErr)
		}
	})
	t.Run("truncated tree", func(t *testing.T) {
		w := newWorld(t, nil, map[string]string{".github/CODEOWNERS": "* @acme/sre\n"})
		w.env.Sim.SetTreeLimit(2)
		pc := w.policyChange(t)
		if pc == nil || pc.FilesIncomplete == "" {
			t.Fatalf("PolicyChange = %+v, want the file list marked incomplete", pc)
		}
	})
	t.Run("first policy", func(t *testing.T) {
		w := newWorld(t, map[string]string{"README.md": "x\n"}, map[string]string{".github/zgate.yml": testdata(t, "zgate.yml")})
		pc := w.policyChange(t)
		if pc == nil || !errors.Is(pc.Base.PolicyErr, ErrNoPolicy) || pc.Head.Policy == nil || pc.CodeownersChanged {
			t.Fatalf("PolicyChange = %+v, want no base policy and the head's", pc)
		}
	})
	t.Run("CODEOWNERS moved", func(t *testing.T) {
		w := newWorld(t, nil, map[string]string{"notes.txt": "x\n"})
		if _, err := w.env.Sim.Push(owner, repoName, "feature", map[string]string{"docs/CODEOWNERS": "* @acme/platform\n"}, []string{".github/CODEOWNERS"}, "alice"); err != nil {
			t.Fatal(err)
		}
		pc := w.policyChange(t)
		if pc == nil || !slices.Contains(pc.Changed, ".github/CODEOWNERS") || !slices.Contains(pc.Changed, "docs/CODEOWNERS") || pc.Head.CodeownersFile != "docs/CODEOWNERS" {
			t.Fatalf("PolicyChange = %+v, want both locations changed and docs/CODEOWNERS read", pc)
		}
	})
}

func (w *world) policyChange(t *testing.T) *PolicyChange {
	t.Helper()
	g := &Gatherer{}
	res, err := g.Gather(context.Background(), w.gh, owner, repoName, w.pr)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := g.PolicyChange(context.Background(), w.gh, owner, repoName, res)
	if err != nil {
		t.Fatal(err)
	}
	return pc
}
