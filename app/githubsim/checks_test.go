package githubsim

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-github/v62/github"
)

func TestCheckRuns(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	_, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	e.hooks.reset()

	cr, resp, err := e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{
		Name: "zgate/prod", HeadSHA: head, Status: github.String("in_progress"),
		Output: &github.CheckRunOutput{Title: github.String("Pending"), Summary: github.String("1 of 2")},
	})
	must(t, err)
	if resp.StatusCode != http.StatusCreated || cr.GetStatus() != "in_progress" || cr.GetApp().GetID() != testAppID {
		t.Errorf("created = %d %q app %d, want 201 in_progress app %d", resp.StatusCode, cr.GetStatus(), cr.GetApp().GetID(), testAppID)
	}
	if len(cr.PullRequests) != 1 {
		t.Errorf("pull_requests = %d, want 1", len(cr.PullRequests))
	}
	_, _, err = e.gh.Checks.UpdateCheckRun(ctx, "acme", "payments", cr.GetID(), github.UpdateCheckRunOptions{
		Name: "zgate/prod", Conclusion: github.String("success"),
		Output: &github.CheckRunOutput{Title: github.String("Open"), Summary: github.String("2 of 2"), Text: github.String("details")},
	})
	must(t, err)
	_, _, err = e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{Name: "other", HeadSHA: head})
	must(t, err)

	list, _, err := e.gh.Checks.ListCheckRunsForRef(ctx, "acme", "payments", head, &github.ListCheckRunsOptions{CheckName: github.String("zgate/prod")})
	must(t, err)
	if list.GetTotal() != 1 || list.CheckRuns[0].GetConclusion() != "success" || list.CheckRuns[0].GetOutput().GetText() != "details" {
		t.Errorf("list by name = %d runs, first %+v; want 1 successful with text", list.GetTotal(), list.CheckRuns)
	}
	got := e.sim.CheckRuns("acme", "payments", head)
	want := []CheckRun{
		{Name: "zgate/prod", HeadSHA: head, Status: "completed", Conclusion: "success", AppID: testAppID,
			Output: CheckRunOutput{Title: "Open", Summary: "2 of 2", Text: "details"}},
		{Name: "other", HeadSHA: head, Status: "queued", AppID: testAppID},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(CheckRun{}, "ID", "StartedAt", "CompletedAt")); diff != "" {
		t.Errorf("CheckRuns (-want +got):\n%s", diff)
	}
	e.sim.WaitDeliveries()
	if diff := cmp.Diff([]string{"check_run.created", "check_run.completed", "check_run.created"}, e.hooks.events()); diff != "" {
		t.Errorf("webhooks (-want +got):\n%s", diff)
	}
}

func TestCheckRunValidation(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	_, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	long := strings.Repeat("x", maxOutput+1)
	tests := []struct {
		name string
		opts github.CreateCheckRunOptions
		want int
	}{
		{"ok at the limit", github.CreateCheckRunOptions{Name: "a", HeadSHA: head, Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String(long[1:])}}, http.StatusCreated},
		{"summary too long", github.CreateCheckRunOptions{Name: "a", HeadSHA: head, Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String(long)}}, http.StatusUnprocessableEntity},
		{"text too long", github.CreateCheckRunOptions{Name: "a", HeadSHA: head, Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Text: github.String(long)}}, http.StatusUnprocessableEntity},
		{"output without summary", github.CreateCheckRunOptions{Name: "a", HeadSHA: head, Output: &github.CheckRunOutput{Title: github.String("t")}}, http.StatusUnprocessableEntity},
		{"unknown sha", github.CreateCheckRunOptions{Name: "a", HeadSHA: strings.Repeat("0", 40)}, http.StatusUnprocessableEntity},
		{"completed without conclusion", github.CreateCheckRunOptions{Name: "a", HeadSHA: head, Status: github.String("completed")}, http.StatusUnprocessableEntity},
		{"bad conclusion", github.CreateCheckRunOptions{Name: "a", HeadSHA: head, Conclusion: github.String("great")}, http.StatusUnprocessableEntity},
		{"bad status", github.CreateCheckRunOptions{Name: "a", HeadSHA: head, Status: github.String("done")}, http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := e.gh.Checks.CreateCheckRun(ctx, "acme", "payments", tc.opts)
			if got := statusOf(resp); got != tc.want {
				t.Errorf("status = %d (%v), want %d", got, err, tc.want)
			}
		})
	}
	if _, resp, _ := e.gh.Checks.UpdateCheckRun(ctx, "acme", "payments", 999999, github.UpdateCheckRunOptions{Name: "a"}); statusOf(resp) != http.StatusNotFound {
		t.Errorf("update unknown check run = %d, want 404", statusOf(resp))
	}
}

func TestStatuses(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	_, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	tests := []struct {
		name string
		st   github.RepoStatus
		want int
	}{
		{"pending", github.RepoStatus{State: github.String("pending"), Context: github.String("zgate/prod")}, http.StatusCreated},
		{"description at 140", github.RepoStatus{State: github.String("success"), Context: github.String("zgate/prod"), Description: github.String(strings.Repeat("é", 140))}, http.StatusCreated},
		{"description at 141", github.RepoStatus{State: github.String("success"), Context: github.String("zgate/prod"), Description: github.String(strings.Repeat("d", 141))}, http.StatusUnprocessableEntity},
		{"bad state", github.RepoStatus{State: github.String("green")}, http.StatusUnprocessableEntity},
		{"other context fails", github.RepoStatus{State: github.String("failure"), Context: github.String("ci")}, http.StatusCreated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := e.gh.Repositories.CreateStatus(ctx, "acme", "payments", head, &tc.st)
			if got := statusOf(resp); got != tc.want {
				t.Errorf("status = %d (%v), want %d", got, err, tc.want)
			}
		})
	}
	combined, _, err := e.gh.Repositories.GetCombinedStatus(ctx, "acme", "payments", head, nil)
	must(t, err)
	if combined.GetState() != "failure" || combined.GetTotalCount() != 2 {
		t.Errorf("combined = %s with %d, want failure with 2 contexts", combined.GetState(), combined.GetTotalCount())
	}
	if got := len(e.sim.Statuses("acme", "payments", head)); got != 3 {
		t.Errorf("Statuses = %d, want 3", got)
	}
}
