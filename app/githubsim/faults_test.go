package githubsim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults Faults
		want   map[int]bool // acceptable statuses
	}{
		{"errors", Faults{ErrorRate: 1, Seed: 3}, map[int]bool{500: true, 502: true}},
		{"secondary limit", Faults{SecondaryLimitRate: 1}, map[int]bool{403: true}},
		{"too many requests", Faults{TooManyRequestsRate: 1}, map[int]bool{429: true}},
		{"off", Faults{}, map[int]bool{200: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			e.sim.SetFaults(tc.faults)
			// The token exchange is exempt, so ghinstallation still authenticates.
			_, resp, _ := e.gh.Repositories.Get(context.Background(), "acme", "payments")
			if !tc.want[statusOf(resp)] {
				t.Fatalf("status = %d, want one of %v", statusOf(resp), tc.want)
			}
			if statusOf(resp) == 403 || statusOf(resp) == 429 {
				if resp.Header.Get("Retry-After") != "1" {
					t.Errorf("Retry-After = %q, want 1", resp.Header.Get("Retry-After"))
				}
			}
			if got := e.sim.Calls()["GET /repos/{owner}/{repo}"]; got != 1 {
				t.Errorf("calls = %d, want 1", got)
			}
		})
	}

	e := newEnv(t, Options{})
	e.sim.SetFaults(Faults{ErrorRate: 0.5, Seed: 9})
	failed := 0
	for range 200 {
		if _, resp, _ := e.gh.Repositories.Get(context.Background(), "acme", "payments"); statusOf(resp) >= 500 {
			failed++
		}
	}
	if failed < 60 || failed > 140 {
		t.Errorf("%d of 200 calls failed at rate 0.5", failed)
	}
	e.sim.SetFaults(Faults{Latency: 30 * time.Millisecond})
	start := time.Now()
	if _, _, err := e.gh.Repositories.Get(context.Background(), "acme", "payments"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("call took %v with 30ms latency", d)
	}
	e.sim.ResetCalls()
	if len(e.sim.Calls()) != 0 {
		t.Errorf("calls after reset = %v", e.sim.Calls())
	}
}

// syncBuffer is a bytes.Buffer safe for the recorder and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func TestRecord(t *testing.T) {
	var buf syncBuffer
	e := newEnv(t, Options{Record: &buf})
	n, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	ctx := context.Background()
	_, _, err := e.gh.PullRequests.Get(ctx, "acme", "payments", n)
	must(t, err)
	_, _, err = e.gh.Repositories.CreateStatus(ctx, "acme", "payments", head, nil)
	if err == nil {
		t.Fatal("status without a body: want an error")
	}

	var got []string
	sc := bufio.NewScanner(bytes.NewReader(buf.b.Bytes()))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var x exchange
		must(t, json.Unmarshal(sc.Bytes(), &x))
		if x.Response == nil {
			t.Errorf("%s %s: response missing", x.Method, x.Path)
		}
		got = append(got, x.Method+" "+x.Route+" "+http.StatusText(x.Status))
	}
	want := []string{
		"POST /app/installations/{installation_id}/access_tokens Created",
		"GET /repos/{owner}/{repo}/pulls/{pull_number} OK",
		"POST /repos/{owner}/{repo}/statuses/{sha} Unprocessable Entity",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded exchanges (-want +got):\n%s", diff)
	}
}
