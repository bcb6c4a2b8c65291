package e2e

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// callCounter counts the App's GitHub calls, the 304s among them (an
// ETag hit costs no rate limit) and the writes.
type callCounter struct {
	next                  http.RoundTripper
	calls, notMod, writes atomic.Int64
}

func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	c.calls.Add(1)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		c.writes.Add(1)
	}
	if err == nil && resp.StatusCode == http.StatusNotModified {
		c.notMod.Add(1)
	}
	return resp, err
}

// startInProcess runs the App in this process against w's simulator.
// Each opt may change the options before the App starts.
func startInProcess(b *testing.B, w *world, opts ...func(*app.Options)) (*callCounter, *prometheus.Registry) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(b, err)
	cc := &callCounter{next: http.DefaultTransport}
	reg := prometheus.NewRegistry()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(appKey)})
	o := app.Options{
		Listener: ln, AppID: appID, PrivateKey: ghclient.PrivateKey(keyPEM), WebhookSecret: app.Secret(secret),
		GitHubURL: w.simURL + "/api/v3/", Database: "sqlite:" + filepath.Join(w.dir, "bench.db"),
		Transport: cc, Registerer: reg, Gatherer: reg, QueuePoll: 50 * time.Millisecond, Workers: 4,
	}
	for _, opt := range opts {
		opt(&o)
	}
	go func() { done <- app.Run(ctx, o) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("app.Run: %v", err)
		}
	})
	w.sim.SetWebhookURL("http://" + ln.Addr().String() + "/webhook")
	return cc, reg
}

// evaluations reads how many re-evaluations the App has finished.
func evaluations(b *testing.B, reg *prometheus.Registry) uint64 {
	mfs, err := reg.Gather()
	must(b, err)
	for _, mf := range mfs {
		if mf.GetName() == "zgate_evaluation_seconds" {
			return mf.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	return 0
}

func waitEvaluations(b *testing.B, reg *prometheus.Registry, atLeast uint64) {
	deadline := time.Now().Add(waitFor)
	for evaluations(b, reg) < atLeast {
		if time.Now().After(deadline) {
			b.Fatalf("evaluations = %d, want %d", evaluations(b, reg), atLeast)
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkWebhookToCheckRun measures, per pull request, the time from the
// pull_request opened webhook being sent to the App's check run being
// created on the simulator. Run with -benchtime=1000x for 1,000 PRs.
func BenchmarkWebhookToCheckRun(b *testing.B) {
	w := newWorld(b)
	_, _ = startInProcess(b, w)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		branch := fmt.Sprintf("l%d", i)
		head, err := w.sim.Push(owner, repoName, branch, map[string]string{"deploy/prod/payments.yml": fmt.Sprintf("replicas: %d\n", i)}, nil, "alice")
		must(b, err)
		start := time.Now()
		if _, err := w.sim.OpenPR(owner, repoName, githubsim.PROptions{Head: branch, Base: "main", Title: "bench", Author: "alice"}); err != nil {
			b.Fatal(err)
		}
		for len(w.sim.CheckRuns(owner, repoName, head)) == 0 {
			if time.Since(start) > waitFor {
				b.Fatalf("no check run on %s", head)
			}
			time.Sleep(100 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
