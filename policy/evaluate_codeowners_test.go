package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

func loadTestCodeowners(t *testing.T) *codeowners.File {
	t.Helper()
	file := filepath.Join("testdata", "evaluate", "CODEOWNERS")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	co, err := codeowners.Parse(file, data)
	if err != nil {
		t.Fatalf("codeowners.Parse: %v", err)
	}
	return co
}

// codeownersFacts adds the CODEOWNERS test file and the teams it names.
func codeownersFacts(t *testing.T) *Facts {
	f := evalFacts()
	f.Codeowners = loadTestCodeowners(t)
	f.Teams["acme/platform"] = []string{"pat"}
	f.Teams["acme/dba"] = []string{"dan"}
	return f
}

func codeownersGate() Gate {
	g := evalGate()
	g.Controls.Teams.FromCodeowners = true
	return g
}

func TestEvaluateCodeowners(t *testing.T) {
	tests := []struct {
		name      string
		gate      func(g *Gate)
		facts     func(f *Facts)
		want      State
		wantIDs   []string
		wantNotes []string
	}{
		{
			name:    "each owner on a line is its own control",
			facts:   func(f *Facts) { f.PullRequest.ChangedFiles = []string{"deploy/prod/app.yaml"} },
			want:    StatePending,
			wantIDs: []string{"@acme/security", "@acme/sre"},
		},
		{
			name: "owners of every changed file, deduplicated",
			facts: func(f *Facts) {
				f.PullRequest.ChangedFiles = []string{"deploy/prod/app.yaml", "deploy/prod/b.yaml", "db/migrations/1.sql", "README.md"}
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour), approve("dan", time.Hour), approve("pat", time.Hour)}
			},
			want:    StateSuccess,
			wantIDs: []string{"@acme/dba", "@acme/platform", "@acme/security", "@acme/sre"},
		},
		{
			name: "only files matching if.paths",
			gate: func(g *Gate) { g.If.Paths = []string{"deploy/prod/**"} },
			facts: func(f *Facts) {
				f.PullRequest.ChangedFiles = []string{"deploy/prod/app.yaml", "db/migrations/1.sql"}
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want:    StateSuccess,
			wantIDs: []string{"@acme/security", "@acme/sre"},
		},
		{
			name: "if.paths matching nothing skips",
			gate: func(g *Gate) { g.If.Paths = []string{"deploy/prod/**"} },
			facts: func(f *Facts) {
				f.PullRequest.ChangedFiles = []string{"db/migrations/1.sql"}
			},
			want: StateSkipped,
		},
		{
			name: "email owners are reported, not counted",
			facts: func(f *Facts) {
				f.PullRequest.ChangedFiles = []string{"deploy/prod/secrets/key.yaml"}
				f.Reviews = []Review{approve("dave", time.Hour)}
			},
			want:      StateSuccess,
			wantIDs:   []string{"@acme/security"},
			wantNotes: []string{"CODEOWNERS owner secops@acme.example is an email address, which cannot be resolved to a login; not counted"},
		},
		{
			name: "a user owner is a team of one",
			facts: func(f *Facts) {
				f.PullRequest.ChangedFiles = []string{"docs/guide.md"}
				f.Reviews = []Review{approve("erin", time.Hour)}
			},
			want:    StateSuccess,
			wantIDs: []string{"@Erin"},
		},
		{
			name: "unowned files only: no controls",
			facts: func(f *Facts) {
				f.PullRequest.ChangedFiles = []string{"vendor/lib.go"}
			},
			want:      StateFailure,
			wantIDs:   []string{},
			wantNotes: []string{"1 changed file has no CODEOWNERS owner (first: vendor/lib.go)"},
		},
		{
			name: "one owning team but a quorum of two fails",
			gate: func(g *Gate) { g.Quorum = 2 },
			facts: func(f *Facts) {
				f.PullRequest.ChangedFiles = []string{"db/migrations/1.sql"}
				f.Reviews = []Review{approve("dan", time.Hour)}
			},
			want:    StateFailure,
			wantIDs: []string{"@acme/dba"},
		},
		{
			name: "no CODEOWNERS fails closed",
			facts: func(f *Facts) {
				f.Codeowners = nil
				f.Reviews = []Review{approve("bob", time.Hour)}
			},
			want:    StateFailure,
			wantIDs: []string{},
		},
		{
			name: "CODEOWNERS with problems fails closed",
			facts: func(f *Facts) {
				co, _ := codeowners.Parse("CODEOWNERS", []byte("/deploy/ @acme/sre\n!/x @acme/sre\n"))
				f.Codeowners = co
				f.Reviews = []Review{approve("bob", time.Hour)}
			},
			want:    StateFailure,
			wantIDs: []string{"@acme/sre"},
		},
		{
			name: "truncated file list fails closed",
			facts: func(f *Facts) {
				f.PullRequest.ChangedFilesTruncated = true
				f.Reviews = []Review{approve("bob", time.Hour), approve("dave", time.Hour)}
			},
			want:    StateFailure,
			wantIDs: []string{"@acme/security", "@acme/sre"},
		},
		{
			name: "truncated file list with if.paths fails closed",
			gate: func(g *Gate) {
				g.Controls.Teams = TeamControls{From: []string{"@acme/sre"}}
				g.If.Paths = []string{"deploy/**"}
			},
			facts: func(f *Facts) {
				f.PullRequest.ChangedFilesTruncated = true
				f.Reviews = []Review{approve("bob", time.Hour)}
			},
			want: StateFailure,
		},
		{
			name: "truncated file list with explicit teams and no paths is fine",
			gate: func(g *Gate) { g.Controls.Teams = TeamControls{From: []string{"@acme/sre"}} },
			facts: func(f *Facts) {
				f.PullRequest.ChangedFilesTruncated = true
				f.Reviews = []Review{approve("bob", time.Hour)}
			},
			want:    StateSuccess,
			wantIDs: []string{"@acme/sre"},
		},
		{
			name: "explicit teams ignore CODEOWNERS problems",
			gate: func(g *Gate) { g.Controls.Teams = TeamControls{From: []string{"@acme/sre"}} },
			facts: func(f *Facts) {
				co, _ := codeowners.Parse("CODEOWNERS", []byte("!/x @acme/sre\n"))
				f.Codeowners = co
				f.Reviews = []Review{approve("bob", time.Hour)}
			},
			want:    StateSuccess,
			wantIDs: []string{"@acme/sre"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := codeownersGate()
			if tt.gate != nil {
				tt.gate(&g)
			}
			f := codeownersFacts(t)
			if tt.facts != nil {
				tt.facts(f)
			}
			gd := Evaluate(&Policy{Gates: []Gate{g}}, f, evalNow).Gates[0]
			if gd.State != tt.want {
				t.Errorf("state = %s (%s), want %s", gd.State, gd.Summary, tt.want)
			}
			if tt.wantIDs != nil {
				ids := []string{}
				for _, c := range gd.Controls {
					ids = append(ids, c.ID)
				}
				if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
					t.Errorf("control ids mismatch (-want +got):\n%s", diff)
				}
			}
			for _, n := range tt.wantNotes {
				if !strings.Contains(strings.Join(gd.Notes, "\n"), n) {
					t.Errorf("notes = %q, want one to be %q", gd.Notes, n)
				}
			}
		})
	}
}
