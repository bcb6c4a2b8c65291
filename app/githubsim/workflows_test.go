package githubsim

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestDeclaredWorkflows(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	files := map[string]string{}
	for _, name := range []string{"deploy.yml", "ci.yml"} {
		b, err := os.ReadFile("testdata/" + name)
		must(t, err)
		files[".github/workflows/"+name] = string(b)
	}
	_, err := e.sim.Push("acme", "payments", "main", files, nil, "alice")
	must(t, err)

	tests := []struct {
		name     string
		workflow string
		inputs   map[string]any
		want     int
		wantRun  string
	}{
		{"declared inputs", "deploy.yml", map[string]any{"zgate_id": "zg-9", "pr": "4"}, http.StatusNoContent, "Deploy zg-9 (PR 4)"},
		{"unexpected input", "deploy.yml", map[string]any{"zgate_id": "zg-9", "evil": "1"}, http.StatusUnprocessableEntity, ""},
		{"missing required input", "deploy.yml", map[string]any{"pr": "4"}, http.StatusUnprocessableEntity, ""},
		{"no workflow_dispatch trigger", "ci.yml", nil, http.StatusUnprocessableEntity, ""},
		{"undeclared workflow is accepted", "other.yml", map[string]any{"zgate_id": "zg-10"}, http.StatusNoContent, "zg-10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := e.gh.Actions.CreateWorkflowDispatchEventByFileName(ctx, "acme", "payments", tc.workflow,
				github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: tc.inputs})
			if got := statusOf(resp); got != tc.want {
				t.Fatalf("status = %d (%v), want %d", got, err, tc.want)
			}
			if tc.wantRun == "" {
				return
			}
			runs, _, err := e.gh.Actions.ListRepositoryWorkflowRuns(ctx, "acme", "payments", nil)
			must(t, err)
			if got := runs.WorkflowRuns[0].GetName(); got != tc.wantRun {
				t.Errorf("newest run name = %q, want %q", got, tc.wantRun)
			}
		})
	}
}

// FuzzWorkflow parses arbitrary workflow files without panicking.
func FuzzWorkflow(f *testing.F) {
	for _, name := range []string{"deploy.yml", "ci.yml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), "x")
	}
	f.Add("on: workflow_dispatch\n", "${{ inputs.x }}")
	f.Add("on:\n  workflow_dispatch:\n    inputs: 7\n", "")
	f.Fuzz(func(t *testing.T, src, runName string) {
		spec, _, err := loadWorkflow(&commit{tree: map[string]string{".github/workflows/w.yml": src}}, "w.yml")
		if err == nil {
			spec.check(map[string]any{"x": "1"})
		}
		renderRunName(runName, map[string]any{"x": "1"})
	})
}
