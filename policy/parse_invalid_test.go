package policy

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// problemAt is a Problem without its file, for compact tables.
type problemAt struct {
	Line, Column int
	Msg          string
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string // testdata/policies/invalid/NAME.yaml
		want []problemAt
	}{
		{"alias", []problemAt{
			{7, 9, "YAML aliases (*prod-if) are not supported: write the value out"},
		}},
		{"attestation-duplicate", []problemAt{
			{10, 17, "controls.attestations[1].name: duplicate control \"ci\" (first at line 6)"},
		}},
		{"attestation-missing-fields", []problemAt{
			{6, 11, "controls.attestations[0]: missing predicate_type"},
			{6, 11, "controls.attestations[0]: missing identity"},
		}},
		{"attestation-name-team", []problemAt{
			{6, 17, "controls.attestations[0].name: \"@acme/ci\" looks like a team: attestation names must not contain @"},
		}},
		{"attestation-same-signer", []problemAt{
			{10, 11, "controls.attestations[1]: same predicate_type, issuer and identity as \"ci\", and no source_repository, signer_workflow or runner_environment that tells them apart: one attestation would count as two controls"},
		}},
		{"attestation-same-signer-optional", []problemAt{
			{11, 11, "controls.attestations[1]: same predicate_type, issuer and identity as \"ci\", and no source_repository, signer_workflow or runner_environment that tells them apart: one attestation would count as two controls"},
		}},
		{"base-bad-glob", []problemAt{
			{5, 20, "if.base[1]: bad glob \"release/[\": syntax error in pattern"},
		}},
		{"base-not-list", []problemAt{
			{5, 13, "if.base: want a list, got a string (\"main\")"},
		}},
		{"pushers-bad", []problemAt{
			{4, 14, "pushers: want \"all\" or \"head\", got \"latest\""},
		}},
		{"request-reviews-bad", []problemAt{
			{4, 22, "request_reviews: want \"teams\" or \"off\", got \"everyone\""},
		}},
		{"request-reviews-wrong-type", []problemAt{
			{4, 22, "request_reviews: want a string, got a list"},
		}},
		{"request-reviews-bool", []problemAt{
			{4, 22, "request_reviews: want a string, got a boolean (true)"},
		}},
		{"sign-bad", []problemAt{
			{4, 11, "sign: want \"action\" or \"always\", got \"sometimes\""},
		}},
		{"pushers-wrong-type", []problemAt{
			{4, 14, "pushers: want a string, got a list"},
		}},
		{"block-wrong-type", []problemAt{
			{4, 33, "block_on_changes_requested: want true or false, got a string (\"yes\")"},
		}},
		{"client-payload-too-many", []problemAt{
			{7, 25, "then.repository_dispatch.client_payload: 15 keys with the 4 zgate sets (zgate_id, pr, head_sha, gate), GitHub allows 10"},
		}},
		{"comment-only", []problemAt{
			{1, 1, "empty policy file: want version: 1 and gates"},
		}},
		{"complex-key", []problemAt{
			{4, 7, "gate: keys must be plain strings"},
		}},
		{"controls-unknown-key", []problemAt{
			{5, 7, "controls: unknown key \"team\"; want one of teams, attestations, decision"},
		}},
		{"description-wrong-type", []problemAt{
			{4, 18, "description: want a string, got a list"},
		}},
		{"dispatch-no-ref", []problemAt{
			{6, 9, "then.dispatch: missing ref (the branch or tag to run the workflow on, like main)"},
		}},
		{"dispatch-no-workflow", []problemAt{
			{6, 9, "then.dispatch: missing workflow (the workflow file name, like deploy.yml)"},
		}},
		{"dispatch-templates", []problemAt{
			{9, 14, "then.dispatch.inputs.a: bad template: input:1: unclosed action"},
			{10, 14, "then.dispatch.inputs.b: bad template: <.PR.Nubmer>: can't evaluate field Nubmer"},
			{11, 14, "then.dispatch.inputs.c: bad template: {{range}} is not supported"},
			{12, 14, "then.dispatch.inputs.d: bad template: {{define}} and {{block}} are not supported"},
			{13, 21, "then.dispatch.inputs.zgate_id: keys starting with \"zgate_\" are reserved for zgate"},
			{14, 14, "then.dispatch.inputs.e: want a string, got a list"},
		}},
		{"dispatch-too-many-inputs", []problemAt{
			{9, 11, "then.dispatch.inputs: 26 keys with the 4 zgate sets (zgate_id, pr, head_sha, gate), GitHub allows 25"},
		}},
		{"dispatch-workflow-path", []problemAt{
			{6, 19, "then.dispatch.workflow: \".github/workflows/deploy.yml\": want the workflow's file name (deploy.yml) or numeric id, not a path"},
		}},
		{"duplicate-key", []problemAt{
			{5, 5, "gate: duplicate key \"quorum\" (first at line 4)"},
		}},
		{"empty", []problemAt{
			{1, 1, "empty policy file: want version: 1 and gates"},
		}},
		{"fresh-bad", []problemAt{
			{6, 16, "controls.teams.fresh: want \"head\" or \"any\", got \"latest\""},
		}},
		{"from-bad-entry", []problemAt{
			{6, 16, "controls.teams.from[0]: \"acme/sre\" is not a team: want @org/team or @user"},
			{6, 28, "controls.teams.from[1]: \"alice@example.com\" is not a team: want @org/team or @user"},
		}},
		{"from-bad-string", []problemAt{
			{6, 15, "controls.teams.from: want \"codeowners\" or a list of @org/team or @user, got \"owners\""},
		}},
		{"from-duplicate", []problemAt{
			{6, 29, "controls.teams.from[1]: duplicate control \"@ACME/sre\" (first at line 6)"},
		}},
		{"from-mapping", []problemAt{
			{6, 15, "controls.teams.from: want \"codeowners\" or a list of @org/team or @user, got a mapping"},
		}},
		{"gate-name-bad", []problemAt{
			{3, 11, "name: \"Production_1\" must be lower-case letters, digits and dashes ([a-z0-9-]+)"},
		}},
		{"gate-name-duplicate", []problemAt{
			{5, 11, "name: duplicate gate name \"prod\" (first at line 3)"},
		}},
		{"gate-name-missing", []problemAt{
			{3, 5, "gate: missing name"},
		}},
		{"gate-not-mapping", []problemAt{
			{3, 5, "gate: want a mapping, got a string (\"prod\")"},
		}},
		{"gate-unknown-key", []problemAt{
			{4, 5, "gate: unknown key \"quoram\"; want one of name, description, if, controls, quorum, required, window, block_on_changes_requested, override, pushers, request_reviews, sign, then"},
		}},
		{"gates-empty", []problemAt{
			{2, 8, "gates: empty: a policy needs at least one gate"},
		}},
		{"gates-not-list", []problemAt{
			{3, 3, "gates: want a list, got a mapping"},
		}},
		{"gates-null", []problemAt{
			{1, 1, "missing gates: a policy needs at least one gate"},
		}},
		{"identity-bad", []problemAt{
			{9, 21, "controls.attestations[0].identity: bad regular expression: error parsing regexp: missing closing ): `(unclosed`"},
		}},
		{"identity-injection", []problemAt{
			{9, 21, "controls.attestations[0].identity: bad regular expression: error parsing regexp: unexpected ): `https://github\\.com/acme/ci/x)|(.*`"},
		}},
		{"if-unknown-key", []problemAt{
			{5, 7, "if: unknown key \"branch\"; want one of base, paths, labels, environment"},
		}},
		{"if-wrong-type", []problemAt{
			{4, 9, "if: want a mapping, got a list"},
		}},
		{"labels-empty-string", []problemAt{
			{5, 24, "if.labels[1]: empty string"},
		}},
		{"many-problems", []problemAt{
			{1, 10, "version: unsupported version 3: this zgate reads version 1"},
			{3, 11, "name: \"Prod\" must be lower-case letters, digits and dashes ([a-z0-9-]+)"},
			{4, 13, "window: bad duration \"soon\": want e.g. 24h, 90m, 7d or 2d12h"},
			{5, 13, "quorum: must be at least 1, got 0 (leave it out to require every control)"},
			{6, 5, "gate: unknown key \"colour\"; want one of name, description, if, controls, quorum, required, window, block_on_changes_requested, override, pushers, request_reviews, sign, then"},
			{9, 7, "then: set at most one of merge, dispatch, repository_dispatch, got merge and repository_dispatch"},
			{9, 23, "then.merge.method: want merge, squash or rebase, got \"ff\""},
			{10, 28, "then.repository_dispatch: missing event_type"},
		}},
		{"merge-method-bad", []problemAt{
			{5, 23, "then.merge.method: want merge, squash or rebase, got \"fast-forward\""},
		}},
		{"merge-null", []problemAt{
			{5, 13, "then.merge: want a mapping, got null"},
		}},
		{"missing-version", []problemAt{
			{1, 1, "missing version: want version: 1"},
		}},
		{"multi-document", []problemAt{
			{4, 1, "a second YAML document: a policy file holds exactly one"},
		}},
		{"no-controls", []problemAt{
			{5, 7, "controls: the gate has no controls: name teams in controls.teams.from or required, or add attestations"},
		}},
		{"not-mapping", []problemAt{
			{1, 1, "policy: want a mapping, got a list"},
		}},
		{"override-bad-team", []problemAt{
			{5, 15, "override.teams[0]: \"incident\" is not a team: want @org/team or @user"},
		}},
		{"override-bad", []problemAt{
			{5, 14, "override.teams: empty: name who may break the glass"},
			{6, 18, "override.approvals: must be at least 1, got 0"},
		}},
		{"override-missing", []problemAt{
			{5, 7, "override: unknown key \"reason\"; want one of teams, approvals"},
			{5, 7, "override: missing teams (who may break the glass)"},
			{5, 7, "override: missing approvals (how many distinct people must comment /zgate override)"},
		}},
		{"paths-bad", []problemAt{
			{5, 28, "if.paths[1]: invalid path pattern \"!deploy/dev/**\": negation (!) is not supported in CODEOWNERS patterns"},
		}},
		{"quorum-too-large", []problemAt{
			{13, 13, "quorum: 5 is more than the 4 controls of this gate (3 teams, 1 attestation)"},
		}},
		{"quorum-wrong-type", []problemAt{
			{4, 13, "quorum: want an integer, got a string (\"two\")"},
		}},
		{"quorum-zero", []problemAt{
			{4, 13, "quorum: must be at least 1, got 0 (leave it out to require every control)"},
		}},
		{"repository-dispatch-no-event-type", []problemAt{
			{6, 9, "then.repository_dispatch: missing event_type"},
		}},
		{"required-bad-team", []problemAt{
			{4, 16, "required[0]: \"@\" is not a team: want @org/team or @user"},
			{4, 21, "required[1]: \"@acme/sre/x\" is not a team: want @org/team or @user"},
		}},
		{"required-duplicate", []problemAt{
			{4, 29, "required[1]: \"@Acme/SRE\" is already required (line 4)"},
		}},
		{"required-unknown", []problemAt{
			{4, 16, "required[0]: unknown control \"ci\": neither an attestation name in controls.attestations, the decision control (decision:OWNER/REPO/GATE) nor a team (@org/team, @user)"},
		}},
		{"root-unknown-key", []problemAt{
			{1, 1, "missing gates: a policy needs at least one gate"},
			{2, 1, "policy: unknown key \"gate\"; want one of version, gates"},
		}},
		{"runner-environment-bad", []problemAt{
			{10, 31, "controls.attestations[0].runner_environment: want \"github-hosted\" or \"self-hosted\", got \"GitHub-Hosted\""},
			{15, 31, "controls.attestations[1].runner_environment: want a string, got a boolean (true)"},
		}},
		{"signer-workflow-bad", []problemAt{
			{10, 28, "controls.attestations[0].signer_workflow: bad regular expression: error parsing regexp: unexpected ): `https://github\\.com/acme/ci/x)|(.*`"},
			{15, 28, "controls.attestations[1].signer_workflow: empty string"},
			{20, 28, "controls.attestations[2].signer_workflow: want a string, got a list"},
		}},
		{"source-repository-bad", []problemAt{
			{10, 30, "controls.attestations[0].source_repository: \"acme\": want owner/repo or the repository's URL, https://HOST/owner/repo"},
			{15, 30, "controls.attestations[1].source_repository: \"http://github.com/acme/ci\": want owner/repo or the repository's URL, https://HOST/owner/repo"},
			{20, 30, "controls.attestations[2].source_repository: \"https://github.com/acme\": want owner/repo or the repository's URL, https://HOST/owner/repo"},
			{25, 30, "controls.attestations[3].source_repository: \"https://token@github.com/acme/ci\": want owner/repo or the repository's URL, https://HOST/owner/repo"},
			{30, 30, "controls.attestations[4].source_repository: \"acme/ci/tree/main\": want owner/repo or the repository's URL, https://HOST/owner/repo"},
			{35, 30, "controls.attestations[5].source_repository: \"acme/..\": want owner/repo or the repository's URL, https://HOST/owner/repo"},
		}},
		{"syntax", []problemAt{
			{2, 0, "invalid YAML: did not find expected ',' or ']'"},
		}},
		{"tab-indent", []problemAt{
			{3, 0, "invalid YAML: found character that cannot start any token"},
		}},
		{"then-two", []problemAt{
			{5, 7, "then: set at most one of merge, dispatch, repository_dispatch, got merge and dispatch"},
		}},
		{"then-unknown-key", []problemAt{
			{5, 7, "then: unknown key \"deploy\"; want one of merge, dispatch, repository_dispatch"},
		}},
		{"version-2", []problemAt{
			{1, 10, "version: unsupported version 2: this zgate reads version 1"},
		}},
		{"version-string", []problemAt{
			{1, 10, "version: want an integer, got a string (\"1\")"},
		}},
		{"window-bad", []problemAt{
			{4, 13, "window: bad duration \"3 days\": want e.g. 24h, 90m, 7d or 2d12h"},
		}},
		{"window-negative", []problemAt{
			{4, 13, "window: must be longer than zero, got \"-1h\""},
		}},
		{"window-number", []problemAt{
			{4, 13, "window: bad duration \"24\": want e.g. 24h, 90m, 7d or 2d12h"},
		}},
		{"window-zero", []problemAt{
			{4, 13, "window: must be longer than zero, got \"0s\""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := "invalid/" + tt.name + ".yaml"
			p, err := Parse(file, readTestdata(t, file))
			if p != nil {
				t.Errorf("Parse(%s) = %+v, want nil policy", file, p)
			}
			var problems ProblemList
			if !errors.As(err, &problems) {
				t.Fatalf("Parse(%s) error = %v, want a ProblemList", file, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%s) error does not wrap ErrInvalid", file)
			}
			var got []problemAt
			for _, p := range problems {
				if p.File != file {
					t.Errorf("problem %v: got file %q, want %q", p, p.File, file)
				}
				got = append(got, problemAt{p.Line, p.Column, p.Msg})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%s) problems mismatch (-want +got):\n%s", file, diff)
			}
		})
	}
	t.Run("every testdata file has a case", func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join("testdata", "policies", "invalid", "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		cases := map[string]bool{}
		for _, tt := range tests {
			cases[tt.name] = true
		}
		for _, f := range files {
			if name := strings.TrimSuffix(filepath.Base(f), ".yaml"); !cases[name] {
				t.Errorf("%s has no case in TestParseInvalid", f)
			}
		}
	})
}
