package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/internal/proccpu"
	"github.com/zgate-dev/zgate/app/metrics"
)

// simPayloads returns webhook payloads as the simulator renders them (full
// objects, 10-30 KB each, like GitHub's), by event and action: a review,
// the App's own check run written (created, completed) with its check
// suite, and a pull request opened.
func simPayloads(tb testing.TB) map[string][]byte {
	tb.Helper()
	env := ghclienttest.New(tb, nil)
	var mu sync.Mutex
	got := map[string][]byte{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev struct{ Action string }
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		got[r.Header.Get("X-GitHub-Event")+"."+ev.Action] = body
		mu.Unlock()
	}))
	tb.Cleanup(hook.Close)
	env.Sim.SetWebhookURL(hook.URL)
	sim := env.Sim
	if err := sim.CreateRepo("acme", "payments", map[string]string{"README.md": "hi\n"}); err != nil {
		tb.Fatal(err)
	}
	head, err := sim.Push("acme", "payments", "feature", map[string]string{"deploy/prod/payments.yml": "replicas: 5\n"}, nil, "alice")
	if err != nil {
		tb.Fatal(err)
	}
	n, err := sim.OpenPR("acme", "payments", githubsim.PROptions{Head: "feature", Base: "main", Title: "feature", Author: "alice"})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := sim.SubmitReview("acme", "payments", n, "carol", "APPROVE", "looks good"); err != nil {
		tb.Fatal(err)
	}
	gh := env.Client(tb, "acme")
	ctx := context.Background()
	run, _, err := gh.Checks.CreateCheckRun(ctx, "acme", "payments", github.CreateCheckRunOptions{Name: "zgate/production", HeadSHA: head, Status: github.String("in_progress")})
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := gh.Checks.UpdateCheckRun(ctx, "acme", "payments", run.GetID(), github.UpdateCheckRunOptions{Name: "zgate/production", Status: github.String("completed"), Conclusion: github.String("failure")}); err != nil {
		tb.Fatal(err)
	}
	sim.WaitDeliveries()
	mu.Lock()
	defer mu.Unlock()
	return got
}

// BenchmarkWebhookIntake measures the webhook path of `zgate serve` up to
// the store (signature, payload decode, the handler's decision), for the
// deliveries each evaluation of the load benchmark brings: the review, and
// the check_run and check_suite events of zgate's own check-run writes.
func BenchmarkWebhookIntake(b *testing.B) {
	payloads := simPayloads(b)
	f := &fakeBackend{seen: map[string]bool{}}
	m, err := metrics.New(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{Secret: testSecret, AppID: ghclienttest.AppID, BotLogin: "zgate[bot]", Intake: f, Audit: f, Metrics: m, Gatherer: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	for _, name := range []string{"pull_request_review.submitted", "check_run.created", "check_run.completed", "pull_request.opened"} {
		body, ok := payloads[name]
		if !ok {
			b.Fatalf("the simulator sent no %s; got %d others", name, len(payloads))
		}
		event, _, _ := bytes.Cut([]byte(name), []byte("."))
		sig := Sign(testSecret, body)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			cpu0 := proccpu.Of(b)
			for i := range b.N {
				req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-GitHub-Event", string(event))
				req.Header.Set("X-GitHub-Delivery", "d-"+strconv.Itoa(i))
				req.Header.Set("X-Hub-Signature-256", sig)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code >= 300 {
					b.Fatalf("%s answered %d: %s", name, rec.Code, rec.Body)
				}
			}
			// CPU, unlike ns/op, does not count waiting for a core on a
			// shared machine.
			b.ReportMetric(float64((proccpu.Of(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
