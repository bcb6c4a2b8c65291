package policy

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// policyOpts compares decoded policies: IdentityRE and SignerWorkflowRE are
// checked on their own (TestParseIdentityAnchored,
// TestParseSignerWorkflowAnchored), and nil and empty collections are equal.
var policyOpts = cmp.Options{
	cmpopts.IgnoreFields(AttestationControl{}, "IdentityRE", "SignerWorkflowRE"),
	cmpopts.EquateEmpty(),
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "policies", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		file string
		want *Policy
	}{
		{
			name: "docs example",
			file: "valid/full.yaml",
			want: &Policy{
				File:    "valid/full.yaml",
				Version: 1,
				Gates: []Gate{
					{
						Name:        "production",
						Description: "Production needs SRE, security and green CI",
						If: Conditions{
							Base:   []string{"main", "release/*"},
							Paths:  []string{"deploy/prod/**"},
							Labels: []string{"deploy"},
						},
						Controls: Controls{
							Teams: TeamControls{FromCodeowners: true, Fresh: FreshHead},
							Attestations: []AttestationControl{{
								Name:              "ci",
								PredicateType:     "https://zgate.dev/ci-result/v1",
								Issuer:            "https://token.actions.githubusercontent.com",
								Identity:          `^https://github\.com/acme/ci/\.github/workflows/test\.yml@refs/heads/main$`,
								SourceRepository:  "acme/ci",
								RunnerEnvironment: RunnerGitHubHosted,
							}},
						},
						Quorum:                  3,
						Required:                []string{"@acme/security", "ci"},
						Window:                  24 * time.Hour,
						BlockOnChangesRequested: true,
						Pushers:                 PushersAll,
						Override:                &Override{Teams: []string{"@acme/incident-commanders"}, Approvals: 2},
						Then:                    Action{Merge: &MergeAction{Method: "squash"}},
						Line:                    3,
					},
					{
						Name:        "deploy-staging",
						Description: "Two teams sign off, then the deploy workflow runs",
						If:          Conditions{Paths: []string{"deploy/staging/**"}},
						Controls: Controls{
							Teams: TeamControls{From: []string{"@acme/sre", "@acme/payments"}, Fresh: FreshAny},
						},
						Window:                  7 * 24 * time.Hour,
						BlockOnChangesRequested: true,
						Pushers:                 PushersAll,
						Then: Action{Dispatch: &DispatchAction{
							Workflow: "deploy.yml",
							Ref:      "main",
							Inputs: map[string]string{
								"pr":          "{{ .PR.Number }}",
								"sha":         "{{ .PR.HeadSHA }}",
								"environment": "staging",
							},
						}},
						Line: 31,
					},
					{
						Name: "schema-migration",
						If:   Conditions{Paths: []string{"db/migrations/"}},
						Controls: Controls{
							Teams: TeamControls{FromCodeowners: true, Fresh: FreshHead},
							Attestations: []AttestationControl{{
								Name:          "migration-plan",
								PredicateType: "https://zgate.dev/migration-plan/v1",
								Issuer:        "https://token.actions.githubusercontent.com",
								Identity:      `https://github\.com/acme/payments/\.github/workflows/plan\.yml@refs/heads/main`,
							}},
						},
						Required:                []string{"@acme/dba", "migration-plan"},
						Window:                  DefaultWindow,
						BlockOnChangesRequested: false,
						Pushers:                 PushersAll,
						Then: Action{RepositoryDispatch: &RepositoryDispatchAction{
							EventType:     "zgate-approved",
							ClientPayload: map[string]string{"gate": "{{ .Gate }}", "pr": "{{ .PR.Number }}"},
						}},
						Line: 49,
					},
				},
			},
		},
		{
			name: "defaults",
			file: "valid/minimal.yaml",
			want: &Policy{
				File:    "valid/minimal.yaml",
				Version: 1,
				Gates: []Gate{{
					Name:                    "two-person",
					Controls:                Controls{Teams: TeamControls{FromCodeowners: true, Fresh: FreshHead}},
					Window:                  DefaultWindow,
					BlockOnChangesRequested: true,
					Pushers:                 PushersAll,
					Line:                    3,
				}},
			},
		},
		{
			name: "null values mean defaults",
			file: "valid/nulls.yaml",
			want: &Policy{
				File:    "valid/nulls.yaml",
				Version: 1,
				Gates: []Gate{{
					Name:                    "prod",
					Controls:                Controls{Teams: TeamControls{FromCodeowners: true, Fresh: FreshHead}},
					Window:                  DefaultWindow,
					BlockOnChangesRequested: true,
					Pushers:                 PushersAll,
					Line:                    3,
				}},
			},
		},
		{
			name: "explicit teams, days window, required team outside the list",
			file: "valid/explicit.yaml",
			want: &Policy{
				File:    "valid/explicit.yaml",
				Version: 1,
				Gates: []Gate{{
					Name: "infra",
					If:   Conditions{Base: []string{"main"}, Labels: []string{"2024", "1.10"}},
					Controls: Controls{
						Teams: TeamControls{From: []string{"@acme/sre", "@bob"}, Fresh: FreshHead},
					},
					Quorum:                  3,
					Required:                []string{"@acme/security"},
					Window:                  2*24*time.Hour + 12*time.Hour,
					BlockOnChangesRequested: false,
					Pushers:                 PushersHead,
					Then:                    Action{Merge: &MergeAction{Method: DefaultMergeMethod}},
					Line:                    3,
				}},
			},
		},
		{
			name: "signer policy: source repository, signer workflow, runner environment",
			file: "valid/signer.yaml",
			want: &Policy{
				File:    "valid/signer.yaml",
				Version: 1,
				Gates: []Gate{{
					Name: "release",
					Controls: Controls{
						Teams: TeamControls{From: []string{"@acme/release"}, Fresh: FreshHead},
						Attestations: []AttestationControl{
							{
								Name:              "payments-ci",
								PredicateType:     "https://zgate.dev/ci-result/v1",
								Issuer:            "https://token.actions.githubusercontent.com",
								Identity:          `https://github\.com/acme/shared/\.github/workflows/ci\.yml@refs/heads/main`,
								SourceRepository:  "acme/payments",
								SignerWorkflow:    `https://github\.com/acme/shared/\.github/workflows/ci\.yml@refs/heads/main`,
								RunnerEnvironment: RunnerGitHubHosted,
							},
							{
								Name:              "ledger-ci",
								PredicateType:     "https://zgate.dev/ci-result/v1",
								Issuer:            "https://token.actions.githubusercontent.com",
								Identity:          `https://github\.com/acme/shared/\.github/workflows/ci\.yml@refs/heads/main`,
								SourceRepository:  "https://ghe.acme.example/acme/ledger",
								RunnerEnvironment: RunnerSelfHosted,
							},
						},
					},
					Required:                []string{"payments-ci", "ledger-ci"},
					Window:                  DefaultWindow,
					BlockOnChangesRequested: true,
					Pushers:                 PushersAll,
					Line:                    5,
				}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.file, readTestdata(t, tt.file))
			if err != nil {
				t.Fatalf("Parse(%s) error:\n%v", tt.file, err)
			}
			if diff := cmp.Diff(tt.want, got, policyOpts); diff != "" {
				t.Errorf("Parse(%s) mismatch (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	data := []byte("version: 1\ngates:\n  - name: prod\n" + strings.Repeat("#", MaxFileSize))
	_, err := Parse("big.yml", data)
	var problems ProblemList
	if !errors.As(err, &problems) || len(problems) != 1 {
		t.Fatalf("Parse(big) error = %v, want one problem", err)
	}
	if got, want := problems[0].Line, 0; got != want {
		t.Errorf("line = %d, want %d", got, want)
	}
}

func TestParseManyProblems(t *testing.T) {
	data := "version: 1\ngates:\n" + strings.Repeat("  - name: prod\n", MaxProblems+6)
	_, err := Parse("many.yml", []byte(data))
	var problems ProblemList
	if !errors.As(err, &problems) {
		t.Fatalf("Parse(many) error = %v, want a ProblemList", err)
	}
	if got, want := len(problems), MaxProblems+1; got != want {
		t.Fatalf("got %d problems, want %d", got, want)
	}
	want := Problem{File: "many.yml", Line: MaxProblems + 4, Column: 11, Msg: "too many problems: 5 more not shown"}
	if diff := cmp.Diff(want, problems[MaxProblems]); diff != "" {
		t.Errorf("last problem mismatch (-want +got):\n%s", diff)
	}
}

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "24h", want: 24 * time.Hour},
		{in: "90m", want: 90 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "2d12h", want: 60 * time.Hour},
		{in: "1d0s", want: 24 * time.Hour},
		{in: "0.5h", want: 30 * time.Minute},
		{in: "0s", wantErr: true},
		{in: "0d", wantErr: true},
		{in: "-1h", wantErr: true},
		{in: "-1d", wantErr: true},
		{in: "1d-2h", wantErr: true},
		{in: "1.5d", wantErr: true},
		{in: "d", wantErr: true},
		{in: "", wantErr: true},
		{in: "24", wantErr: true},
		{in: "3 days", wantErr: true},
		{in: "106752d", wantErr: true},
		{in: "106751d24h", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseWindow(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseWindow(%q) = %v, %v; want error %v", tt.in, got, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseWindow(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// checkAnchored checks that re, compiled from the policy's expression
// src, matches base as a whole and nothing longer or different.
func checkAnchored(t *testing.T, re *regexp.Regexp, src, base string) {
	t.Helper()
	if re == nil {
		t.Fatal("compiled expression is nil")
	}
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"exact", base, true},
		{"suffix added", base + "-evil", false},
		{"prefix added", "https://evil.example/" + base, false},
		{"other branch", strings.TrimSuffix(base, "main") + "dev", false},
		{"dot is literal", strings.Replace(base, "github.com", "githubxcom", 1), false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := re.MatchString(tt.in); got != tt.want {
				t.Errorf("%s.MatchString(%q) = %v, want %v", re, tt.in, got, tt.want)
			}
		})
	}
	if got, want := re.String(), "^(?:"+src+")$"; got != want {
		t.Errorf("compiled = %s, want %s", got, want)
	}
}

func TestParseIdentityAnchored(t *testing.T) {
	p, err := Parse("full.yaml", readTestdata(t, "valid/full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := p.Gates[2].Controls.Attestations[0]
	checkAnchored(t, a.IdentityRE, a.Identity, "https://github.com/acme/payments/.github/workflows/plan.yml@refs/heads/main")
}

func TestParseSignerWorkflowAnchored(t *testing.T) {
	p, err := Parse("signer.yaml", readTestdata(t, "valid/signer.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	atts := p.Gates[0].Controls.Attestations
	if atts[1].SignerWorkflowRE != nil {
		t.Errorf("SignerWorkflowRE without signer_workflow = %s, want nil", atts[1].SignerWorkflowRE)
	}
	checkAnchored(t, atts[0].SignerWorkflowRE, atts[0].SignerWorkflow, "https://github.com/acme/shared/.github/workflows/ci.yml@refs/heads/main")
}

func TestValidRepository(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"acme/payments", true},
		{"Acme/Pay.ments_2", true},
		{"https://github.com/acme/payments", true},
		{"https://github.com/acme/payments/", true},
		{"https://ghe.acme.example/acme/payments", true},
		{"acme", false},
		{"acme/", false},
		{"/acme/payments", false},
		{"acme/payments/", false},
		{"acme/payments/x", false},
		{"-acme/payments", false},
		{"acme/.", false},
		{"acme/..", false},
		{"http://github.com/acme/payments", false},
		{"https://github.com/acme", false},
		{"https:///acme/payments", false},
		{"https://user@github.com/acme/payments", false},
		{"https://github.com/acme/payments?ref=main", false},
		{"https://github.com/acme/payments#main", false},
		{"https://github.com/acme/%70ayments", false},
		{"https://github.com/acme/payments/tree/main", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := validRepository(tt.in); got != tt.want {
				t.Errorf("validRepository(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRenderTemplate(t *testing.T) {
	data := sampleTemplateData()
	tests := []struct {
		name    string
		tmpl    string
		want    string
		wantErr bool
	}{
		{name: "plain", tmpl: "staging", want: "staging"},
		{name: "number", tmpl: "{{ .PR.Number }}", want: "42"},
		{name: "fields", tmpl: "{{ .Repository }}#{{ .PR.Number }} {{ .Gate }} by {{ .PR.Author }} on {{ .PR.Base }}", want: "acme/payments#42 production by alice on main"},
		{name: "short sha", tmpl: "{{ slice .PR.HeadSHA 0 7 }}", want: "0123456"},
		{name: "if", tmpl: `{{ if eq .PR.Base "main" }}prod{{ else }}dev{{ end }}`, want: "prod"},
		{name: "printf", tmpl: `{{ printf "pr-%05d" .PR.Number }}`, want: "pr-00042"},
		{name: "unknown field", tmpl: "{{ .PR.Title }}", wantErr: true},
		{name: "unclosed", tmpl: "{{ .PR.Number", wantErr: true},
		{name: "range", tmpl: "{{ range 1000000000 }}x{{ end }}", wantErr: true},
		{name: "range in if", tmpl: "{{ if true }}{{ range 10 }}{{ end }}{{ end }}", wantErr: true},
		{name: "template call", tmpl: `{{ template "input" }}`, wantErr: true},
		{name: "define", tmpl: `{{ define "x" }}y{{ end }}`, wantErr: true},
		{name: "block", tmpl: `{{ block "x" . }}y{{ end }}`, wantErr: true},
		{name: "output too long", tmpl: `{{ printf "%900000d" 1 }}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RenderTemplate(tt.tmpl, data)
			if (err != nil) != tt.wantErr {
				t.Fatalf("RenderTemplate(%q) = %q, %v; want error %v", tt.tmpl, got, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("RenderTemplate(%q) = %q, want %q", tt.tmpl, got, tt.want)
			}
		})
	}
}

// TestDocsExample keeps the full example of docs/policy.md identical to the
// testdata file TestParseValid decodes.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	example := readTestdata(t, "valid/full.yaml")
	if !strings.Contains(string(doc), "```yaml\n"+string(example)+"```\n") {
		t.Errorf("docs/policy.md does not contain testdata/policies/valid/full.yaml in a yaml block; copy it over")
	}
}

// TestParseRepositoryPolicy checks zgate's own gate policy.
func TestParseRepositoryPolicy(t *testing.T) {
	file := filepath.Join("..", ".github", "zgate.yml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(file, data); err != nil {
		t.Errorf("Parse(%s):\n%v", file, err)
	}
}
