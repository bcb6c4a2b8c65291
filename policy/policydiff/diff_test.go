package policydiff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// base is the gate every case edits: one line of it replaced per case.
const base = `version: 1
gates:
  - name: prod
    if:
      base: [main]
      paths: ["deploy/**"]
    controls:
      teams:
        from: ["@acme/sre", "@acme/security", "@acme/dba"]
        fresh: head
      attestations:
        - name: ci
          predicate_type: https://zgate.dev/ci/v1
          issuer: https://token.actions.githubusercontent.com
          identity: 'https://github\.com/acme/ci/.*'
    quorum: 3
    required: ["@acme/security", ci]
    window: 24h
    override:
      teams: ["@acme/oncall"]
      approvals: 2
    then:
      merge: {method: squash}
  - name: docs
    controls:
      teams: {from: codeowners}
`

func mustParse(t *testing.T, src string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse(".github/zgate.yml", []byte(src))
	if err != nil {
		t.Fatalf("parse:\n%s\n%v", src, err)
	}
	return p
}

// edit replaces old by nu in base, failing when old is not there.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	s := base
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("base has no %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

type want struct {
	Gate    string
	Aspect  Aspect
	Weakens bool
	Text    string // substring
}

func TestComparePolicies(t *testing.T) {
	tests := []struct {
		name  string
		edits []string
		want  []want
	}{
		{"unchanged", nil, nil},
		// Every weakening.
		{"gate removed", []string{"  - name: docs\n    controls:\n      teams: {from: codeowners}\n", ""},
			[]want{{"docs", AspectGate, true, "gate removed"}}},
		{"quorum lowered", []string{"quorum: 3", "quorum: 2"},
			[]want{{"prod", AspectQuorum, true, "quorum lowered: 3 → 2"}}},
		{"quorum all to a number", []string{"  - name: docs\n    controls:\n      teams: {from: codeowners}\n", "  - name: docs\n    controls:\n      teams: {from: codeowners}\n    quorum: 1\n"},
			[]want{{"docs", AspectQuorum, true, "quorum lowered: all → 1"}}},
		{"required team removed", []string{`required: ["@acme/security", ci]`, `required: [ci]`},
			[]want{{"prod", AspectRequired, true, "@acme/security no longer required"}}},
		{"required team removed from controls under quorum all", []string{"quorum: 3", "", `required: ["@acme/security", ci]`, `required: [ci]`, `"@acme/security", `, ""},
			[]want{
				{"prod", AspectControls, true, "control @acme/security removed: its consent is no longer needed"},
				{"prod", AspectQuorum, false, "quorum raised: 3 → all"},
				{"prod", AspectRequired, true, "@acme/security no longer required"},
			}},
		{"team added to a quorum of N", []string{`"@acme/dba"]`, `"@acme/dba", "@acme/interns"]`},
			[]want{{"prod", AspectControls, true, "control @acme/interns added: one more way to reach the quorum of 3"}}},
		{"teams from list to codeowners", []string{`from: ["@acme/sre", "@acme/security", "@acme/dba"]`, "from: codeowners", `required: ["@acme/security", ci]`, "required: [ci]"},
			[]want{
				{"prod", AspectControls, true, "controls.teams.from: [@acme/sre, @acme/security, @acme/dba] → codeowners"},
				{"prod", AspectControls, false, "control @acme/sre removed"},
				{"prod", AspectControls, true, "control @acme/security removed: its consent is no longer needed"},
				{"prod", AspectControls, false, "control @acme/dba removed"},
				{"prod", AspectRequired, true, "@acme/security no longer required"},
			}},
		{"attestation signer changed", []string{`identity: 'https://github\.com/acme/ci/.*'`, `identity: '.*'`},
			[]want{{"prod", AspectControls, true, "attestation ci: who may sign"}}},
		{"window lengthened", []string{"window: 24h", "window: 7d"},
			[]want{{"prod", AspectWindow, true, "window lengthened: 24h → 7d"}}},
		{"window default is 72h", []string{"    window: 24h\n", ""},
			[]want{{"prod", AspectWindow, true, "window lengthened: 24h → 3d"}}},
		{"fresh any", []string{"fresh: head", "fresh: any"},
			[]want{{"prod", AspectFresh, true, "fresh: head → any"}}},
		{"changes requested no longer block", []string{"    window: 24h\n", "    window: 24h\n    block_on_changes_requested: false\n"},
			[]want{{"prod", AspectChangesRequested, true, "true → false"}}},
		{"pushers head", []string{"    window: 24h\n", "    window: 24h\n    pushers: head\n"},
			[]want{{"prod", AspectPushers, true, "pushers: all → head"}}},
		{"override added", []string{"      teams: {from: codeowners}\n", "      teams: {from: codeowners}\n    override:\n      teams: [\"@acme/oncall\"]\n      approvals: 1\n"},
			[]want{{"docs", AspectOverride, true, "override added: 1 of @acme/oncall"}}},
		{"override approvals lowered", []string{"approvals: 2", "approvals: 1"},
			[]want{{"prod", AspectOverride, true, "override.approvals lowered: 2 → 1"}}},
		{"override team added", []string{`teams: ["@acme/oncall"]`, `teams: ["@acme/oncall", "@acme/interns"]`},
			[]want{{"prod", AspectOverride, true, "@acme/interns may now break the glass"}}},
		{"if.paths narrowed", []string{`paths: ["deploy/**"]`, `paths: ["deploy/prod/**"]`},
			[]want{{"prod", AspectConditions, true, "if.paths narrowed: [deploy/**] → [deploy/prod/**]"}}},
		{"if.labels added where there were none", []string{"      base: [main]\n", "      base: [main]\n      labels: [deploy]\n"},
			[]want{{"prod", AspectConditions, true, "if.labels narrowed: any → [deploy]"}}},
		// Changes that do not weaken.
		{"gate added", []string{"gates:\n", "gates:\n  - name: infra\n    controls:\n      teams: {from: codeowners}\n"},
			[]want{{"infra", AspectGate, false, "gate added"}}},
		{"quorum raised", []string{"quorum: 3", "quorum: 4"},
			[]want{{"prod", AspectQuorum, false, "quorum raised: 3 → 4"}}},
		{"required raised", []string{`required: ["@acme/security", ci]`, `required: ["@acme/security", "@acme/sre", ci]`},
			[]want{{"prod", AspectRequired, false, "@acme/sre now required"}}},
		{"window shortened", []string{"window: 24h", "window: 1h"},
			[]want{{"prod", AspectWindow, false, "window shortened: 24h → 1h"}}},
		{"override removed", []string{"    override:\n      teams: [\"@acme/oncall\"]\n      approvals: 2\n", ""},
			[]want{{"prod", AspectOverride, false, "override removed"}}},
		{"override team removed, approvals raised", []string{`teams: ["@acme/oncall"]`, `teams: ["@acme/sre"]`, "approvals: 2", "approvals: 3"},
			[]want{
				{"prod", AspectOverride, false, "override.approvals raised: 2 → 3"},
				{"prod", AspectOverride, true, "@acme/sre may now break the glass"},
				{"prod", AspectOverride, false, "@acme/oncall may no longer break the glass"},
			}},
		{"if.paths widened", []string{`paths: ["deploy/**"]`, `paths: ["deploy/**", "infra/**"]`},
			[]want{{"prod", AspectConditions, false, "if.paths widened"}}},
		{"if.base dropped", []string{"      base: [main]\n", ""},
			[]want{{"prod", AspectConditions, false, "if.base widened: [main] → any"}}},
		{"then changed is reported, not weaker", []string{"merge: {method: squash}", "merge: {method: rebase}"},
			[]want{{"prod", AspectThen, false, "then: merge (squash) → merge (rebase)"}}},
		{"renamed gate: removed and added", []string{"name: docs", "name: handbook"},
			[]want{{"handbook", AspectGate, false, "gate added"}, {"docs", AspectGate, true, "gate removed"}}},
	}
	old := mustParse(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nu := mustParse(t, edit(t, tt.edits...))
			r := Compare(Input{Old: Side{Policy: old}, New: Side{Policy: nu}})
			var got []want
			for _, c := range r.Changes {
				got = append(got, want{c.Gate, c.Aspect, c.Weakens, c.Text})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("changes = %s\nwant %d: %+v", cmp.Diff(nil, got), len(tt.want), tt.want)
			}
			weaker := false
			for i, w := range tt.want {
				g := got[i]
				if g.Gate != w.Gate || g.Aspect != w.Aspect || g.Weakens != w.Weakens || !strings.Contains(g.Text, w.Text) {
					t.Errorf("change %d = %+v, want %+v", i, g, w)
				}
				weaker = weaker || w.Weakens
			}
			if r.Weakens() != weaker {
				t.Errorf("Weakens() = %t, want %t", r.Weakens(), weaker)
			}
		})
	}
}

func TestComparePolicyAddedOrDeleted(t *testing.T) {
	p := mustParse(t, base)
	added := Compare(Input{New: Side{Policy: p}})
	if added.Weakens() || len(added.Changes) != 2 || added.Changes[0].Text != "gate added" {
		t.Errorf("a new policy: %+v, want two gates added, not weaker", added.Changes)
	}
	deleted := Compare(Input{Old: Side{Policy: p}})
	if !deleted.Weakens() || len(deleted.Changes) != 2 || !slicesEqual(deleted.Weakened(), []string{"prod", "docs"}) {
		t.Errorf("a deleted policy: %+v, want both gates removed, weaker", deleted.Changes)
	}
}

func slicesEqual(a, b []string) bool { return cmp.Equal(a, b) }

func mustCodeowners(t *testing.T, src string) *codeowners.File {
	t.Helper()
	f, err := codeowners.Parse(".github/CODEOWNERS", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCompareOwners(t *testing.T) {
	const old = "*  @acme/platform\n/deploy/ @acme/sre @acme/security\n/docs/ @acme/docs\n"
	files := []string{"README.md", "deploy/prod/app.yml", "deploy/staging/app.yml", "docs/index.md"}
	tests := []struct {
		name       string
		nu         string
		incomplete string
		want       []OwnerChange
		weakens    bool
	}{
		{name: "unchanged", nu: old},
		{name: "owner added is not weaker", nu: old + "/docs/ @acme/docs @acme/writers\n"},
		{name: "team dropped from a path", nu: "*  @acme/platform\n/deploy/ @acme/sre\n/docs/ @acme/docs\n", weakens: true, want: []OwnerChange{
			{Path: "deploy/prod/app.yml", Removed: []string{"@acme/security"}},
			{Path: "deploy/staging/app.yml", Removed: []string{"@acme/security"}},
		}},
		{name: "paths no longer owned by anyone", nu: "/deploy/ @acme/sre @acme/security\n/deploy/staging/\n", weakens: true, want: []OwnerChange{
			{Path: "README.md", Removed: []string{"@acme/platform"}, Unowned: true},
			{Path: "deploy/staging/app.yml", Removed: []string{"@acme/sre", "@acme/security"}, Unowned: true},
			{Path: "docs/index.md", Removed: []string{"@acme/docs"}, Unowned: true},
		}},
		{name: "case of a slug is not a change", nu: "*  @ACME/Platform\n/deploy/ @acme/SRE @acme/security\n/docs/ @acme/docs\n"},
		{name: "no CODEOWNERS any more", nu: "", weakens: true, want: []OwnerChange{
			{Path: "README.md", Removed: []string{"@acme/platform"}, Unowned: true},
			{Path: "deploy/prod/app.yml", Removed: []string{"@acme/sre", "@acme/security"}, Unowned: true},
			{Path: "deploy/staging/app.yml", Removed: []string{"@acme/sre", "@acme/security"}, Unowned: true},
			{Path: "docs/index.md", Removed: []string{"@acme/docs"}, Unowned: true},
		}},
		{name: "incomplete file list fails closed", nu: old, incomplete: "the tree is truncated", weakens: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nu *codeowners.File
			if tt.nu != "" {
				nu = mustCodeowners(t, tt.nu)
			}
			r := Compare(Input{Old: Side{Codeowners: mustCodeowners(t, old)}, New: Side{Codeowners: nu},
				CompareOwners: true, Files: files, FilesIncomplete: tt.incomplete})
			if d := cmp.Diff(tt.want, r.Owners); d != "" {
				t.Errorf("owners (-want +got):\n%s", d)
			}
			if r.Weakens() != tt.weakens {
				t.Errorf("Weakens() = %t, want %t", r.Weakens(), tt.weakens)
			}
			if r.OwnersCompared != 4 {
				t.Errorf("OwnersCompared = %d, want 4", r.OwnersCompared)
			}
		})
	}
}
