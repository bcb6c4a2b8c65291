package examples_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflow is the part of a GitHub Actions workflow file the safety checks
// read.
type workflow struct {
	On          yaml.Node      `yaml:"on"`
	Permissions yaml.Node      `yaml:"permissions"`
	Concurrency yaml.Node      `yaml:"concurrency"`
	Jobs        map[string]job `yaml:"jobs"`
}

type job struct {
	If          string    `yaml:"if"`
	Environment yaml.Node `yaml:"environment"`
	Permissions yaml.Node `yaml:"permissions"`
	Uses        string    `yaml:"uses"`
	Steps       []step    `yaml:"steps"`
}

type step struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

// prTriggers run the pull request's own copy of the workflow: whatever
// such a workflow holds, the pull request can rewrite.
var prTriggers = []string{"pull_request", "pull_request_review", "pull_request_review_comment"}

// trustedTriggers run a workflow file from the default branch or, for
// pull_request_target, from the base branch.
var trustedTriggers = []string{"pull_request_target", "issue_comment", "workflow_run", "push", "schedule", "workflow_dispatch"}

// headRefs name the pull request's code; a zgate job must not fetch it.
var headRefs = []string{"github.event.pull_request.head", "github.head_ref", "refs/pull/", "github.event.workflow_run.head", "merge_commit_sha", "github.event.issue.pull_request.head"}

// triggers lists the events of a workflow's on: (a name, a list or a map).
func triggers(n yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			out = append(out, c.Value)
		}
		return out
	case yaml.MappingNode:
		var out []string
		for i := 0; i < len(n.Content); i += 2 {
			out = append(out, n.Content[i].Value)
		}
		return out
	}
	return nil
}

// emptyPermissions reports whether a permissions node grants nothing
// ("{}"); an absent one takes the repository's default, which may write.
func emptyPermissions(n yaml.Node) bool {
	return n.Kind == yaml.MappingNode && len(n.Content) == 0
}

// runsZgate reports whether a step runs zgate.
func runsZgate(s step) bool {
	return strings.HasPrefix(s.Uses, "zgate-dev/zgate") || strings.Contains(s.Run, "zgate action")
}

// mapping returns the value of key in a mapping node, nil when absent.
func mapping(n yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// workflowProblems checks the safety properties of a workflow file that
// runs zgate, or of one that pull requests can rewrite (docs/action.md,
// "A workflow that runs only trusted code").
func workflowProblems(data []byte) []string {
	var w workflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		return []string{fmt.Sprintf("not YAML: %v", err)}
	}
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	on := triggers(w.On)
	if len(on) == 0 {
		bad("no on: triggers")
	}
	fromPR := false
	for _, tr := range on {
		if slices.Contains(prTriggers, tr) {
			fromPR = true
		}
	}
	text := string(data)
	zgateJobs := 0
	for name, j := range w.Jobs {
		zg := slices.ContainsFunc(j.Steps, runsZgate) || strings.HasPrefix(j.Uses, "zgate-dev/zgate")
		if fromPR {
			// Anything here is the pull request's to rewrite: it must hold
			// nothing worth taking.
			if zg {
				bad("job %s runs zgate on %v, which run the pull request's own copy of the workflow", name, on)
			}
			if j.Environment.Kind != 0 {
				bad("job %s of a workflow a pull request can rewrite uses an environment", name)
			}
			if j.Permissions.Kind != 0 && !emptyPermissions(j.Permissions) {
				bad("job %s of a workflow a pull request can rewrite asks for permissions", name)
			}
			continue
		}
		if !zg {
			continue
		}
		zgateJobs++
		for _, tr := range on {
			if !slices.Contains(trustedTriggers, tr) {
				bad("job %s runs zgate on %s, not one of the trusted triggers %v", name, tr, trustedTriggers)
			}
		}
		if slices.Contains(on, "issue_comment") &&
			(!strings.Contains(j.If, "startsWith(github.event.comment.body, '/zgate')") || !strings.Contains(j.If, "github.event.issue.pull_request")) {
			bad("job %s runs on every issue_comment: its if: must require a /zgate comment on a pull request", name)
		}
		if j.Environment.Kind == 0 || j.Environment.Kind == yaml.ScalarNode && j.Environment.Value == "" {
			bad("job %s has no environment: the App's credentials belong in one limited to the default branch", name)
		}
		if j.Permissions.Kind == 0 {
			bad("job %s takes the repository's default token permissions: set permissions", name)
		}
		for i, s := range j.Steps {
			fields := []string{s.Run}
			for _, v := range s.With {
				fields = append(fields, v)
			}
			for _, v := range s.Env {
				fields = append(fields, v)
			}
			for _, f := range fields {
				for _, h := range headRefs {
					if strings.Contains(f, h) {
						bad("job %s step %d names the pull request's code (%s)", name, i+1, h)
					}
				}
			}
			if strings.HasPrefix(s.Uses, "actions/checkout") {
				if _, ok := s.With["ref"]; ok {
					bad("job %s step %d checks out a ref: only the event's own (the base branch) is trusted", name, i+1)
				}
				if _, ok := s.With["repository"]; ok {
					bad("job %s step %d checks out another repository", name, i+1)
				}
			}
			if runsZgate(s) {
				tok := s.With["token"]
				if tok == "" || strings.Contains(tok, "github.token") || strings.Contains(tok, "GITHUB_TOKEN") {
					bad("job %s step %d runs zgate with the workflow token: its statuses are github-actions[bot]'s, which any workflow can post, so branch protection cannot pin them to zgate; use the App's token", name, i+1)
				}
				if s.With["identity"] == "" {
					bad("job %s step %d runs zgate without identity: set it to the App's bot login", name, i+1)
				}
			}
		}
	}
	if fromPR {
		if !emptyPermissions(w.Permissions) {
			bad("a workflow on %v (the pull request's own copy) must set permissions: {}", on)
		}
		if strings.Contains(text, "secrets.") {
			bad("a workflow on %v (the pull request's own copy) must not name secrets", on)
		}
		return out
	}
	if zgateJobs > 0 {
		if w.Permissions.Kind == 0 {
			bad("no top-level permissions: the workflow token gets the repository's default")
		}
		if g := mapping(w.Concurrency, "group"); g == nil || g.Value == "" {
			bad("no concurrency group")
		}
		if c := mapping(w.Concurrency, "cancel-in-progress"); c == nil || c.Value != "false" {
			bad("concurrency must not cancel a run in progress (cancel-in-progress: false)")
		}
	}
	return out
}

// TestWorkflows checks the shipped workflows: the one that runs zgate
// runs only trusted code, and the review relay holds nothing.
func TestWorkflows(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("workflows", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	zgate := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "zgate-dev/zgate@") {
			zgate++
		}
		for _, p := range workflowProblems(data) {
			t.Errorf("%s: %s", f, p)
		}
	}
	if zgate == 0 {
		t.Errorf("no workflow in workflows/ runs zgate (found %v)", files)
	}
}

// TestWorkflowProblems shows the checks catch each unsafe workflow,
// starting with the one docs/action.md used to recommend.
func TestWorkflowProblems(t *testing.T) {
	safe, err := os.ReadFile(filepath.Join("workflows", "zgate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !strings.Contains(string(safe), old) {
			t.Fatalf("workflows/zgate.yml has no %q", old)
		}
		return strings.Replace(string(safe), old, new, 1)
	}
	tests := []struct {
		name, workflow, want string
	}{
		{"the old documented workflow", `
on:
  pull_request:
  pull_request_review:
permissions:
  contents: write
  statuses: write
jobs:
  zgate:
    runs-on: ubuntu-latest
    steps:
      - uses: zgate-dev/zgate@v1
        with:
          token: ${{ secrets.ZGATE_TOKEN || github.token }}
`, "pull request's own copy"},
		{"pull_request added", edit("  issue_comment: #", "  pull_request:\n  issue_comment: #"), "runs zgate on"},
		{"any comment", edit("startsWith(github.event.comment.body, '/zgate')", "true"), "/zgate comment"},
		{"no environment", edit("    environment: zgate\n", ""), "no environment"},
		{"checkout of the head", edit("          persist-credentials: false\n", "          persist-credentials: false\n          ref: ${{ github.event.pull_request.head.sha }}\n"), "pull request's code"},
		{"workflow token", edit("token: ${{ steps.app.outputs.token }}", "token: ${{ github.token }}"), "workflow token"},
		{"no identity", edit("          identity: ${{ steps.app.outputs.app-slug }}[bot]\n", ""), "identity"},
		{"runs cancelled", edit("cancel-in-progress: false", "cancel-in-progress: true"), "cancel"},
		{"default permissions", edit("    permissions:\n      contents: read # the checkout of the trusted root; nothing else\n", ""), "default token permissions"},
		{"relay with a secret", `
on:
  pull_request_review:
permissions: {}
jobs:
  relay:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ secrets.ZGATE_APP_PRIVATE_KEY }}
`, "must not name secrets"},
		{"relay with permissions", `
on: pull_request_review
permissions:
  statuses: write
jobs:
  relay:
    runs-on: ubuntu-latest
    steps:
      - run: "true"
`, "permissions: {}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := workflowProblems([]byte(tt.workflow))
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems = %q, want one containing %q", got, tt.want)
			}
		})
	}
}
