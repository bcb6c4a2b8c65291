package policydiff

import (
	"testing"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// FuzzCompare parses two policies and two CODEOWNERS files and compares
// them: Compare must not panic, a version compared with itself has no
// change, and a removed gate always weakens.
func FuzzCompare(f *testing.F) {
	f.Add(base, base, "* @acme/a\n", "* @acme/b\n", "a/b.txt")
	f.Add(base, "version: 1\ngates:\n  - name: prod\n    controls: {teams: {from: [\"@a/b\"]}}\n    quorum: 1\n", "/deploy/ @x\n", "", "deploy/x")
	f.Add("version: 1\ngates: []\n", base, "", "*.go @go\n", "main.go")
	f.Fuzz(func(t *testing.T, oldSrc, newSrc, oldCO, newCO, file string) {
		op, _ := policy.Parse("old.yml", []byte(oldSrc))
		np, _ := policy.Parse("new.yml", []byte(newSrc))
		oc, _ := codeowners.Parse("old", []byte(oldCO))
		nc, _ := codeowners.Parse("new", []byte(newCO))
		files := []string{file}
		r := Compare(Input{Old: Side{op, oc}, New: Side{np, nc}, CompareOwners: true, Files: files})
		for _, c := range r.Changes {
			if c.Aspect == AspectGate && c.Text != "gate added" && !c.Weakens {
				t.Errorf("gate removal not weaker: %+v", c)
			}
			if c.Text == "" || c.Gate == "" {
				t.Errorf("empty change: %+v", c)
			}
		}
		self := Compare(Input{Old: Side{op, oc}, New: Side{op, oc}, CompareOwners: true, Files: files})
		if len(self.Changes) != 0 || len(self.Owners) != 0 || self.Weakens() {
			t.Errorf("a version compared with itself: %+v", self)
		}
	})
}
