package action

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestTargets(t *testing.T) {
	tests := []struct {
		name, event, file string
		want              Target
		wantErr           error
	}{
		{name: "pull_request", event: "pull_request", file: "pull_request.json", want: Target{Numbers: []int{7}}},
		{name: "pull_request_target", event: "pull_request_target", file: "pull_request.json", want: Target{Numbers: []int{7}}},
		{name: "review", event: "pull_request_review", file: "pull_request_review.json", want: Target{Numbers: []int{12}}},
		{name: "comment on a pull request", event: "issue_comment", file: "issue_comment_pr.json", want: Target{Numbers: []int{9}}},
		{name: "comment on an issue", event: "issue_comment", file: "issue_comment_issue.json", want: Target{}},
		{name: "push to a branch", event: "push", file: "push_main.json", want: Target{Open: true, Base: "main"}},
		{name: "push of a tag", event: "push", file: "push_tag.json", want: Target{}},
		{name: "branch deleted", event: "push", file: "push_deleted.json", want: Target{}},
		{name: "workflow_run of a relay", event: "workflow_run", file: "workflow_run.json", want: Target{Numbers: []int{12, 13}}},
		{name: "workflow_run of a fork: sweep", event: "workflow_run", file: "workflow_run_fork.json", want: Target{Open: true}},
		{name: "workflow_run without a run", event: "workflow_run", file: "push_main.json", wantErr: ErrConfig},
		{name: "schedule", event: "schedule", file: "schedule.json", want: Target{Open: true}},
		{name: "workflow_dispatch without payload", event: "workflow_dispatch", want: Target{Open: true}},
		{name: "unhandled event", event: "release", file: "push_main.json", wantErr: ErrConfig},
		{name: "pull_request without payload", event: "pull_request", wantErr: ErrConfig},
		{name: "pull_request without a number", event: "pull_request", file: "push_main.json", wantErr: ErrConfig},
		{name: "not JSON", event: "push", file: "../CODEOWNERS", wantErr: ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var payload []byte
			if tt.file != "" {
				var err error
				if payload, err = os.ReadFile(filepath.Join("testdata", "events", tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Targets(tt.event, payload)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Targets(%s) error = %v, want %v", tt.event, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Target{}, "Why")); diff != "" {
				t.Errorf("Targets(%s) (-want +got):\n%s", tt.event, diff)
			}
		})
	}
}

func FuzzTargets(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	events := []string{"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment", "issue_comment", "push", "schedule", "workflow_dispatch", "release"}
	for i, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(events[i%len(events)], b)
	}
	f.Add("push", []byte(`{"ref":"refs/heads/"}`))
	f.Add("issue_comment", []byte(`{"issue":{"number":3,"pull_request":null}}`))
	f.Fuzz(func(t *testing.T, name string, payload []byte) {
		got, err := Targets(name, payload)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("Targets error %v does not wrap ErrConfig", err)
			}
			return
		}
		if got.Open && len(got.Numbers) > 0 {
			t.Fatalf("target both open sweep and numbers: %+v", got)
		}
		for _, n := range got.Numbers {
			if n <= 0 {
				t.Fatalf("target names pull request %d", n)
			}
		}
		if got.Why == "" {
			t.Fatalf("target without a reason: %+v", got)
		}
	})
}
