package policy

import (
	"testing"
	"time"
)

// TestEvaluateGateFilesAreGated: a pull request that changes the policy
// file or CODEOWNERS is gated by every gate whose if.base matches, also
// when none of its files matches if.paths; other files still skip it.
func TestEvaluateGateFilesAreGated(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files []string
		base  string
		want  State
	}{
		{"the policy file", []string{".github/zgate.yml"}, "main", StatePending},
		{"the other policy name", []string{".github/zgate.yaml"}, "main", StatePending},
		{"CODEOWNERS at the root", []string{"CODEOWNERS", "README.md"}, "main", StatePending},
		{"docs/CODEOWNERS", []string{"docs/CODEOWNERS"}, "main", StatePending},
		{"another file under .github", []string{".github/workflows/ci.yml"}, "main", StateSkipped},
		{"if.base still decides", []string{".github/zgate.yml"}, "release", StateSkipped},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := evalGate("@acme/sre")
			g.If = Conditions{Base: []string{"main"}, Paths: []string{"deploy/prod/**"}}
			f := evalFacts()
			f.PullRequest.ChangedFiles = tt.files
			f.PullRequest.Base = tt.base
			f.Reviews = []Review{review("dave", "APPROVED", headSHA, time.Hour)} // not in sre
			gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
			if gd.State != tt.want {
				t.Errorf("state = %s (%s), want %s", gd.State, gd.Summary, tt.want)
			}
		})
	}
}
