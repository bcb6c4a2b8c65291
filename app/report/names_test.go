package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
)

func TestCheckNames(t *testing.T) {
	tests := []struct {
		gate, base, def string
		want            []string
	}{
		{"production", "main", "main", []string{"zgate/production: main", "zgate/production"}},
		{"production", "weak", "main", []string{"zgate/production: weak"}},
		{"production", "release/1.2", "main", []string{"zgate/production: release/1.2"}},
		{"production", "main", "", []string{"zgate/production: main"}}, // default unknown: no legacy name
		{"", "main", "main", []string{"zgate: main", "zgate"}},
		{"", "dev", "main", []string{"zgate: dev"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, CheckNames(tt.gate, tt.base, tt.def)); diff != "" {
			t.Errorf("CheckNames(%q, %q, %q) (-want +got):\n%s", tt.gate, tt.base, tt.def, diff)
		}
	}
	res := &facts.Result{BaseRef: "main", PR: &github.PullRequest{Base: &github.PullRequestBranch{Repo: &github.Repository{DefaultBranch: github.String("main")}}}}
	if diff := cmp.Diff([]string{"zgate/x: main", "zgate/x"}, Names(res, "x")); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
}

func TestCheckBase(t *testing.T) {
	tests := []struct {
		name, base string
		ok         bool
	}{
		{"zgate/production: main", "main", true},
		{"zgate/production: feature/a: b", "feature/a: b", true}, // not a branch, but never split wrong
		{"zgate/production", "main", true},                       // legacy: the default branch's
		{"zgate", "main", true},
		{"zgate: dev", "dev", true},
		{"zgate/production/z", "main", true},
		{"zgatex", "", false},
		{"ci", "", false},
		{"zgate:dev", "", false},
	}
	for _, tt := range tests {
		base, ok := CheckBase(tt.name, "main")
		if base != tt.base || ok != tt.ok {
			t.Errorf("CheckBase(%q) = %q, %v; want %q, %v", tt.name, base, ok, tt.base, tt.ok)
		}
	}
}
