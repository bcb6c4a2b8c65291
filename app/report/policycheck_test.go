package report

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

const basePolicy = `version: 1
gates:
  - name: production
    if:
      paths: ["deploy/prod/**"]
    controls:
      teams: {from: codeowners}
    quorum: 2
    window: 24h
    then:
      merge: {method: squash}
  - name: docs
    controls:
      teams: {from: ["@acme/docs"]}
`

const baseCodeowners = "*  @acme/platform\n/deploy/prod/ @acme/sre @acme/security\n"

func ruleVersion(t *testing.T, policySrc, coSrc string) facts.RuleVersion {
	t.Helper()
	v := facts.RuleVersion{PolicyFile: ".github/zgate.yml"}
	if policySrc == "" {
		v.PolicyErr = fmt.Errorf("%w at abc: tried %v", facts.ErrNoPolicy, facts.PolicyPaths)
	} else {
		v.Policy, v.PolicyErr = policy.Parse(".github/zgate.yml", []byte(policySrc))
	}
	if coSrc != "" {
		v.CodeownersFile = ".github/CODEOWNERS"
		v.Codeowners, _ = codeowners.Parse(".github/CODEOWNERS", []byte(coSrc))
	}
	return v
}

// renderPolicy is render plus the annotations, one per line.
func renderPolicy(c Content) string {
	var b strings.Builder
	b.WriteString(render(c))
	if len(c.Annotations) > 0 {
		b.WriteString("\n<!-- annotations:\n")
		for _, a := range c.Annotations {
			fmt.Fprintf(&b, "%s %d-%d col %d-%d %s: %s\n", a.Path, a.StartLine, a.EndLine, a.StartColumn, a.EndColumn, a.Level, a.Message)
		}
		b.WriteString("-->\n")
	}
	return b.String()
}

func TestPolicyCheckGolden(t *testing.T) {
	files := []string{"README.md", "deploy/prod/app.yml", "deploy/staging/app.yml", ".github/zgate.yml"}
	base := ruleVersion(t, basePolicy, baseCodeowners)
	tests := []struct {
		name           string
		head           facts.RuleVersion
		base           *facts.RuleVersion
		changed        []string
		incomplete     string
		unknown        bool
		wantConclusion string
		wantAnnotated  int
	}{
		{name: "quorum-lowered", head: ruleVersion(t, strings.Replace(basePolicy, "quorum: 2", "quorum: 1", 1), baseCodeowners),
			changed: []string{".github/zgate.yml"}, wantConclusion: ConclusionNeutral},
		{name: "stronger", head: ruleVersion(t, strings.Replace(basePolicy, "window: 24h", "window: 4h", 1)+"  - name: infra\n    controls:\n      teams: {from: codeowners}\n", baseCodeowners),
			changed: []string{".github/zgate.yml"}, wantConclusion: ConclusionSuccess},
		{name: "broken", head: ruleVersion(t, "version: 1\ngates:\n  - name: Production\n    quorum: -1\n    window: soon\n", baseCodeowners),
			changed: []string{".github/zgate.yml"}, wantConclusion: ConclusionFailure, wantAnnotated: 3},
		{name: "codeowners-unowned", head: ruleVersion(t, basePolicy, "/deploy/prod/ @acme/sre\n/deploy/staging/ @acme/sre\nbad-line @not a valid owner\n"),
			changed: []string{".github/CODEOWNERS"}, wantConclusion: ConclusionNeutral, wantAnnotated: 3},
		{name: "codeowners-incomplete", head: ruleVersion(t, basePolicy, baseCodeowners+"/docs/ @acme/docs\n"),
			changed: []string{".github/CODEOWNERS"}, incomplete: "GitHub truncated the file list of abc (100000 files listed)", wantConclusion: ConclusionNeutral},
		{name: "policy-deleted", head: ruleVersion(t, "", baseCodeowners),
			changed: []string{".github/zgate.yml"}, wantConclusion: ConclusionNeutral},
		{name: "file-list-truncated", head: base, unknown: true, changed: []string{".github/zgate.yml", ".github/zgate.yaml", ".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"},
			wantConclusion: ConclusionSuccess},
		{name: "first-policy", base: &facts.RuleVersion{PolicyFile: ".github/zgate.yml", PolicyErr: facts.ErrNoPolicy}, head: ruleVersion(t, basePolicy, ""),
			changed: []string{".github/zgate.yml"}, wantConclusion: ConclusionSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pc := &facts.PolicyChange{Changed: tt.changed, ChangedUnknown: tt.unknown, Base: base, Head: tt.head, Files: files, FilesIncomplete: tt.incomplete}
			if tt.base != nil {
				pc.Base = *tt.base
			}
			for _, f := range tt.changed {
				pc.CodeownersChanged = pc.CodeownersChanged || strings.HasSuffix(f, "CODEOWNERS")
			}
			c := PolicyCheck(pc)
			if c.Conclusion != tt.wantConclusion || c.Status != StatusCompleted {
				t.Errorf("status, conclusion = %s, %s; want completed, %s", c.Status, c.Conclusion, tt.wantConclusion)
			}
			if len(c.Annotations) != tt.wantAnnotated {
				t.Errorf("%d annotations, want %d: %+v", len(c.Annotations), tt.wantAnnotated, c.Annotations)
			}
			golden(t, "policycheck/"+tt.name, renderPolicy(c))
		})
	}
}

// TestPolicyCheckAnnotationsPublished: more than GitHub's 50 annotations
// per request go out in a create and further updates, all on one run;
// publishing other annotated content replaces the run instead of
// appending to it.
func TestPolicyCheckAnnotationsPublished(t *testing.T) {
	env, sha := newPublishRepo(t)
	ctx := context.Background()
	gh := env.Client(t, "acme")
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := &Publisher{Store: st}
	var src strings.Builder
	src.WriteString("version: 1\ngates:\n")
	for i := range 60 {
		fmt.Fprintf(&src, "  - name: Gate%d\n", i) // upper case: one problem per gate
	}
	c := PolicyCheck(&facts.PolicyChange{Changed: []string{".github/zgate.yml"}, Head: ruleVersion(t, src.String(), "")})
	if len(c.Annotations) < 60 {
		t.Fatalf("%d annotations, want at least 60", len(c.Annotations))
	}
	id, _, err := p.Publish(ctx, gh, "acme", "payments", sha, c)
	if err != nil {
		t.Fatal(err)
	}
	got := env.Sim.CheckRunAnnotations("acme", "payments", id)
	if len(got) != len(c.Annotations) {
		t.Fatalf("run has %d annotations, want %d", len(got), len(c.Annotations))
	}
	for i, a := range got {
		want := c.Annotations[i]
		if a.Path != want.Path || a.StartLine != want.StartLine || a.Message != want.Message || a.AnnotationLevel != "failure" {
			t.Errorf("annotation %d = %+v, want %+v", i, a, want)
		}
	}
	if got[0].StartLine != 3 || !strings.HasPrefix(got[0].Message, ".github/zgate.yml:3:") {
		t.Errorf("first annotation = %+v, want line 3, FILE:LINE:COL: message", got[0])
	}

	// Other content is a new run, with only its annotations; the old
	// one is cancelled.
	c2 := PolicyCheck(&facts.PolicyChange{Changed: []string{".github/zgate.yml"}, Head: ruleVersion(t, "version: 1\ngates:\n  - name: X\n", "")})
	id2, changed, err := p.Publish(ctx, gh, "acme", "payments", sha, c2)
	if err != nil || !changed || id2 == id {
		t.Fatalf("second publish: id %d (was %d), changed %t, err %v; want a new run", id2, id, changed, err)
	}
	if n := len(env.Sim.CheckRunAnnotations("acme", "payments", id2)); n != len(c2.Annotations) {
		t.Errorf("new run has %d annotations, want %d", n, len(c2.Annotations))
	}
	for _, r := range env.Sim.CheckRuns("acme", "payments", sha) {
		if r.ID == id && r.Conclusion != "cancelled" {
			t.Errorf("old run conclusion = %s, want cancelled", r.Conclusion)
		}
	}
}
