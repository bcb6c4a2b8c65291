package action

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// TestOtherBaseStatuses (issue 7, 1.1): a second pull request with the
// same head into another branch, where the gate is skipped, writes only
// "zgate/<gate>: <branch>"; the statuses that protect main (the legacy
// name and "zgate/<gate>: main") keep main's decision. A broken policy on
// that branch fails only that branch's statuses.
func TestOtherBaseStatuses(t *testing.T) {
	r := newRig(t, "merge.yml")
	skips := strings.Replace(readTestdata(t, "merge.yml"), `paths: ["deploy/prod/**"]`, `paths: ["deploy/prod/**"]`+"\n      base: [main]", 1)
	if _, err := r.sim.Push("acme", "payments", "main", map[string]string{".github/zgate.yml": skips}, nil, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.sim.Push("acme", "payments", "weak", map[string]string{"notes.txt": "x\n"}, nil, "mallory"); err != nil {
		t.Fatal(err)
	}
	n1, head := r.openPR("scale", nil)
	n2, err := r.sim.OpenPR("acme", "payments", githubsim.PROptions{Head: "scale", Base: "weak", Author: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	r.runPR(n1)
	r.runPR(n2)
	pending := "pending: Pending: 0 of 2 controls hold (quorum 2)"
	want := map[string]string{
		"zgate/production":       pending,
		"zgate/production: main": pending,
		"zgate/production: weak": "success: skipped: the base branch weak matches no if.base glob",
	}
	got := r.statuses(head)
	if got["zgate/production"] != want["zgate/production"] || got["zgate/production: main"] != want["zgate/production: main"] || !strings.HasPrefix(got["zgate/production: weak"], "success: skipped") {
		t.Errorf("statuses (-want +got):\n%s", cmp.Diff(want, got))
	}
	if r.pr(n1).Merged || r.pr(n2).Merged {
		t.Error("merged without approvals")
	}

	// weak's policy breaks: only weak's statuses fail.
	if _, err := r.sim.Push("acme", "payments", "weak", map[string]string{".github/zgate.yml": readTestdata(t, "broken.yml")}, nil, "mallory"); err != nil {
		t.Fatal(err)
	}
	r.runPR(n2)
	got = r.statuses(head)
	for _, c := range []string{"zgate/production", "zgate/production: main"} {
		if got[c] != pending {
			t.Errorf("status %s = %q after weak's policy broke, want %q", c, got[c], pending)
		}
	}
	for _, c := range []string{"zgate: weak", "zgate/production: weak"} {
		if !strings.HasPrefix(got[c], "error:") {
			t.Errorf("status %s = %q, want error", c, got[c])
		}
	}
	if _, ok := got["zgate"]; ok {
		t.Errorf("the default branch's error status was written by an evaluation against weak: %q", got["zgate"])
	}
}

// TestMergeWaitsForEveryApplicableGate (issue 7, 1.3): the Action does
// not merge on one open gate while another applicable gate is pending,
// and the open gate's status says what it waits for.
func TestMergeWaitsForEveryApplicableGate(t *testing.T) {
	r := newRig(t, "merge.yml")
	two := readTestdata(t, "merge.yml") + `  - name: docs
    if:
      paths: ["docs/**"]
    controls:
      teams: {from: codeowners}
    quorum: 1
    then:
      merge: {method: squash}
`
	if _, err := r.sim.Push("acme", "payments", "main", map[string]string{".github/zgate.yml": two}, nil, "bob"); err != nil {
		t.Fatal(err)
	}
	n, head := r.openPR("both", map[string]string{"docs/README.md": "new\n", "deploy/prod/payments.yml": "replicas: 9\n"})
	r.approve(n, "erin") // platform owns docs/
	res := r.runPR(n)
	if r.pr(n).Merged {
		t.Fatal("merged on docs while production is pending")
	}
	if res.Failed() {
		t.Errorf("run failed: %+v", res)
	}
	if got := r.statuses(head)["zgate/docs: main"]; !strings.HasPrefix(got, "success:") || !strings.Contains(got, "waits for production") {
		t.Errorf("docs status = %q, want success saying the merge waits for production", got)
	}
	r.approve(n, "carol", "dave")
	r.runPR(n)
	if !r.pr(n).Merged {
		t.Fatal("not merged once every applicable gate holds")
	}
	if got := r.merges(); got != 1 {
		t.Errorf("merge calls = %d, want 1", got)
	}
}

// hookTransport calls before on every request, then sends it.
type hookTransport struct {
	next   http.RoundTripper
	before func(*http.Request)
}

func (h hookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h.before(req)
	return h.next.RoundTrip(req)
}

// TestRetargetBeforeMerge (issue 7, 1.1): the pull request is retargeted
// from a branch whose policy opens the gate to main after the Action's
// last read and before its merge call. Branch protection of main requiring
// its status (legacy or per-base name) refuses the merge, as no evaluation
// against main wrote it green; the run fails.
func TestRetargetBeforeMerge(t *testing.T) {
	for _, required := range []string{"zgate/production", "zgate/production: main"} {
		t.Run(required, func(t *testing.T) { retargetBeforeMerge(t, required) })
	}
}

func retargetBeforeMerge(t *testing.T, required string) {
	r := newRig(t, "merge.yml")
	weak := strings.Replace(readTestdata(t, "merge.yml"), "quorum: 2", "quorum: 1", 1)
	if _, err := r.sim.Push("acme", "payments", "weak", map[string]string{".github/zgate.yml": weak}, nil, "mallory"); err != nil {
		t.Fatal(err)
	}
	if err := r.sim.SetRequiredChecks("acme", "payments", "main", []string{required}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.sim.Push("acme", "payments", "scale", map[string]string{"deploy/prod/payments.yml": "replicas: 50\n"}, nil, "mallory"); err != nil {
		t.Fatal(err)
	}
	n, err := r.sim.OpenPR("acme", "payments", githubsim.PROptions{Head: "scale", Base: "weak", Author: "mallory"})
	if err != nil {
		t.Fatal(err)
	}
	r.approve(n, "carol")
	var once sync.Once
	gh, err := ghclient.NewTokenClientConfig(ghclient.Config{
		BaseURL: r.env.Server.URL + "/api/v3/",
		Transport: hookTransport{next: r, before: func(req *http.Request) {
			if req.Method == http.MethodPut && strings.HasSuffix(req.URL.Path, "/merge") {
				once.Do(func() {
					if err := r.sim.ChangeBase("acme", "payments", n, "main", "mallory"); err != nil {
						t.Error(err)
					}
				})
			}
		}},
		Retry: ghclient.RetryPolicy{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }},
	}, ghclient.Token(r.token))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Config{
		Client: gh, Repository: "acme/payments", EventName: "pull_request",
		Event: []byte(fmt.Sprintf(`{"action":"synchronize","number":%d}`, n)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.pr(n).Merged {
		t.Fatal("the Action's merge landed in main under weak's policy")
	}
	if !res.Failed() {
		t.Errorf("the refused merge did not fail the run: %+v", res)
	}
}

// TestPerBaseStatusIsNotAMarker: a gate's status for a branch ending in
// "/z" is a gate status, not a marker.
func TestPerBaseStatusIsNotAMarker(t *testing.T) {
	for ctx, want := range map[string]bool{
		MarkerContext("deploy", "main"):  true,
		MarkerContext("deploy", "ops/z"): true,
		legacyMarkerContext("deploy"):    true,
		"zgate/deploy: feature/z":        false,
		"zgate/deploy":                   false,
		"zgate/deploy: main":             false,
	} {
		if got := isMarker(ctx); got != want {
			t.Errorf("isMarker(%q) = %v, want %v", ctx, got, want)
		}
	}
}
