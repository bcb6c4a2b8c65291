package engine

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/store"
)

// cancelAfterMerge cancels the evaluation as soon as GitHub has answered
// the merge, as a SIGTERM arriving at that moment would.
type cancelAfterMerge struct {
	next   http.RoundTripper
	cancel context.CancelFunc
}

func (c *cancelAfterMerge) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodPut || !strings.HasSuffix(req.URL.Path, "/merge") {
		return resp, err
	}
	// Read the answer before cancelling: it has reached zgate.
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	c.cancel()
	return resp, nil
}

// TestShutdownAfterMergeRecordsIt: a shutdown once GitHub has merged does
// not lose the outcome: the execution is stored as done and audited.
func TestShutdownAfterMergeRecordsIt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newRigWith(t, gatedFiles(t), func(c *ghclient.Config) {
		next := c.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		c.Transport = &cancelAfterMerge{next: next, cancel: cancel}
	})
	k, _ := r.openPR("scale")
	for _, u := range []string{"carol", "dave"} {
		if _, err := r.sim.SubmitReview("acme", "payments", k.Number, u, "APPROVE", ""); err != nil {
			t.Fatal(err)
		}
	}
	// Reporting after Z fails on the cancelled context; the next run
	// reports. What matters is what was recorded.
	_, _ = r.eng.Reevaluate(ctx, k)

	if pr, err := r.sim.PullRequest("acme", "payments", k.Number); err != nil || !pr.Merged {
		t.Fatalf("PullRequest() = %+v, %v; want merged", pr, err)
	}
	xs, err := r.st.Executions(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []store.ExecutionStatus
	for _, x := range xs {
		got = append(got, x.Status)
	}
	if diff := cmp.Diff([]store.ExecutionStatus{store.ExecDone}, got); diff != "" {
		t.Errorf("executions (-want +got):\n%s", diff)
	}
	want := []string{"decision:success", "execution:intent", "execution:done"}
	if diff := cmp.Diff(want, r.auditKinds()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}
