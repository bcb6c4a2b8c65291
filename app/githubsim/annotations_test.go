package githubsim

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// TestCheckRunAnnotations: annotations are validated as GitHub does (at
// most 50 per request, columns only on one line), appended by each update,
// and listed, paged, at .../check-runs/{id}/annotations.
func TestCheckRunAnnotations(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	_, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	ann := func(line int) *github.CheckRunAnnotation {
		return &github.CheckRunAnnotation{Path: github.String(".github/zgate.yml"), StartLine: github.Int(line), EndLine: github.Int(line),
			StartColumn: github.Int(3), EndColumn: github.Int(3), AnnotationLevel: github.String("failure"), Message: github.String(fmt.Sprintf("problem %d", line))}
	}
	many := func(from, n int) []*github.CheckRunAnnotation {
		var out []*github.CheckRunAnnotation
		for i := range n {
			out = append(out, ann(from+i))
		}
		return out
	}
	out := func(a []*github.CheckRunAnnotation) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Annotations: a}
	}
	bad := []struct {
		name string
		a    []*github.CheckRunAnnotation
	}{
		{"51 in one request", many(1, 51)},
		{"columns over two lines", []*github.CheckRunAnnotation{{Path: github.String("f"), StartLine: github.Int(1), EndLine: github.Int(2), StartColumn: github.Int(1), AnnotationLevel: github.String("failure"), Message: github.String("m")}}},
		{"line 0", []*github.CheckRunAnnotation{{Path: github.String("f"), StartLine: github.Int(0), EndLine: github.Int(0), AnnotationLevel: github.String("failure"), Message: github.String("m")}}},
		{"bad level", []*github.CheckRunAnnotation{{Path: github.String("f"), StartLine: github.Int(1), EndLine: github.Int(1), AnnotationLevel: github.String("error"), Message: github.String("m")}}},
		{"no message", []*github.CheckRunAnnotation{{Path: github.String("f"), StartLine: github.Int(1), EndLine: github.Int(1), AnnotationLevel: github.String("failure")}}},
	}
	for _, tc := range bad {
		_, resp, _ := e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{Name: "zgate/policy", HeadSHA: head, Output: out(tc.a)})
		if statusOf(resp) != http.StatusUnprocessableEntity {
			t.Errorf("%s: status = %d, want 422", tc.name, statusOf(resp))
		}
	}
	run, _, err := e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{Name: "zgate/policy", HeadSHA: head, Output: out(many(1, 50))})
	must(t, err)
	_, _, err = e.gh.Checks.UpdateCheckRun(ctx, "acme", "payments", run.GetID(), github.UpdateCheckRunOptions{Name: "zgate/policy", Output: out(many(51, 20))})
	must(t, err)
	got, _, err := e.gh.Checks.GetCheckRun(ctx, "acme", "payments", run.GetID())
	must(t, err)
	if got.GetOutput().GetAnnotationsCount() != 70 {
		t.Errorf("annotations_count = %d, want 70", got.GetOutput().GetAnnotationsCount())
	}
	var all []*github.CheckRunAnnotation
	opts := &github.ListOptions{PerPage: 30}
	for {
		page, resp, err := e.gh.Checks.ListCheckRunAnnotations(ctx, "acme", "payments", run.GetID(), opts)
		must(t, err)
		all = append(all, page...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(all) != 70 {
		t.Fatalf("listed %d annotations, want 70", len(all))
	}
	for i, a := range all {
		if a.GetStartLine() != i+1 || a.GetMessage() != fmt.Sprintf("problem %d", i+1) || a.GetStartColumn() != 3 {
			t.Errorf("annotation %d = %+v", i, a)
		}
	}
	if d := cmp.Diff(len(e.sim.CheckRunAnnotations("acme", "payments", run.GetID())), 70); d != "" {
		t.Error(d)
	}
	if _, resp, _ := e.gh.Checks.ListCheckRunAnnotations(ctx, "acme", "payments", 999999, nil); statusOf(resp) != http.StatusNotFound {
		t.Errorf("annotations of an unknown run = %d, want 404", statusOf(resp))
	}
}

// TestGitTree: the recursive tree lists every blob and directory of a
// commit; without recursive only the top level; past the limit it is
// truncated.
func TestGitTree(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	_, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	paths := func(tr *github.Tree) (blobs, trees []string) {
		for _, en := range tr.Entries {
			if en.GetType() == "blob" {
				blobs = append(blobs, en.GetPath())
			} else {
				trees = append(trees, en.GetPath())
			}
		}
		return blobs, trees
	}
	tr, _, err := e.gh.Git.GetTree(ctx, "acme", "payments", head, true)
	must(t, err)
	blobs, trees := paths(tr)
	if !contains(blobs, "deploy/prod/app.yaml") || !contains(blobs, "README.md") || !contains(trees, "deploy/prod") || !contains(trees, "deploy") || tr.GetTruncated() {
		t.Errorf("recursive tree: blobs %v, trees %v, truncated %t", blobs, trees, tr.GetTruncated())
	}
	top, _, err := e.gh.Git.GetTree(ctx, "acme", "payments", head, false)
	must(t, err)
	blobs, trees = paths(top)
	if contains(blobs, "deploy/prod/app.yaml") || !contains(trees, "deploy") || contains(trees, "deploy/prod") {
		t.Errorf("top-level tree: blobs %v, trees %v", blobs, trees)
	}
	e.sim.SetTreeLimit(1)
	tr, _, err = e.gh.Git.GetTree(ctx, "acme", "payments", head, true)
	must(t, err)
	if !tr.GetTruncated() || len(tr.Entries) != 1 {
		t.Errorf("limited tree: %d entries, truncated %t; want 1, true", len(tr.Entries), tr.GetTruncated())
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
