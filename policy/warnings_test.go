package policy

import (
	"strings"
	"testing"
)

func TestGlobsDisjoint(t *testing.T) {
	tests := []struct {
		x, y string
		want bool
	}{
		{"main", "main", false},
		{"main", "dev", true},
		{"main", "release/*", true},
		{"release/1.2", "release/*", false},
		{"release/*", "hotfix/*", true},
		{"release/*", "rel*", false},
		{"*-prod", "*-staging", true},
		{"*-prod", "eu-*", false},
		{"*", "main", false},
		{"[ab]x", "ax", false},
		{"[ab]x", "cx", true},
		{"[ab]*", "[cd]*", false}, // classes: not proved disjoint (conservative)
		{`\*`, "*", false},
		{"release/[", "main", false}, // malformed: cannot prove anything
	}
	for _, tt := range tests {
		if got := globsDisjoint(tt.x, tt.y); got != tt.want {
			t.Errorf("globsDisjoint(%q, %q) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
		if got := globsDisjoint(tt.y, tt.x); got != tt.want {
			t.Errorf("globsDisjoint(%q, %q) = %v, want %v", tt.y, tt.x, got, tt.want)
		}
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings, one per warning, in order
	}{
		{
			name: "docs and production merge alike",
			yaml: "version: 1\ngates:\n  - name: docs\n    then: {merge: {method: squash}}\n  - name: production\n    then: {merge: {method: squash}}\n",
		},
		{
			name: "different methods",
			yaml: "version: 1\ngates:\n  - name: docs\n    then: {merge: {}}\n  - name: production\n    then: {merge: {method: rebase}}\n",
			want: []string{`x.yml:5:0: warning: gates "docs" (line 3) and "production" can apply to the same pull request and merge with different methods (merge, rebase)`},
		},
		{
			name: "merge and dispatch",
			yaml: "version: 1\ngates:\n  - name: deploy\n    then: {dispatch: {workflow: d.yml, ref: main}}\n  - name: production\n    if: {paths: [\"deploy/**\"]}\n    then: {merge: {}}\n",
			want: []string{`x.yml:5:0: warning: gate "production" merges and gate "deploy", which can apply to the same pull request, does not (dispatch)`},
		},
		{
			name: "merge and report only",
			yaml: "version: 1\ngates:\n  - name: production\n    then: {merge: {}}\n  - name: audit\n",
			want: []string{`gate "production" merges and gate "audit", which can apply to the same pull request, does not (none)`},
		},
		{
			name: "disjoint bases",
			yaml: "version: 1\ngates:\n  - name: production\n    if: {base: [main]}\n    then: {merge: {}}\n  - name: release\n    if: {base: [\"release/*\"]}\n    then: {merge: {method: rebase}}\n  - name: audit\n    if: {base: [dev]}\n",
		},
		{
			name: "paths and labels never separate gates",
			yaml: "version: 1\ngates:\n  - name: a\n    if: {paths: [\"a/**\"], labels: [a]}\n    then: {merge: {}}\n  - name: b\n    if: {paths: [\"b/**\"], labels: [b]}\n    then: {merge: {method: squash}}\n",
			want: []string{`gates "a" (line 3) and "b"`},
		},
		{
			name: "overlapping base globs",
			yaml: "version: 1\ngates:\n  - name: a\n    if: {base: [\"release/*\"]}\n    then: {merge: {}}\n  - name: b\n    if: {base: [main, \"release/1.*\"]}\n    then: {merge: {method: squash}}\n",
			want: []string{`gates "a" (line 3) and "b"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("x.yml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			got := Warnings(p)
			if len(got) != len(tt.want) {
				t.Fatalf("warnings = %v, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i].String(), w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, got[i].String(), w)
				}
			}
		})
	}
}
