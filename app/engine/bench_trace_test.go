package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/zgate-dev/zgate/app/act"
	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/ghclient/ghclienttest"
	"github.com/zgate-dev/zgate/app/githubsim"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/app/tracing/tracingtest"
)

// BenchmarkEvaluateTracing is BenchmarkEvaluateReviewEvent's evaluation
// with tracing off (the no-op provider `zgate serve` uses without
// OTEL_EXPORTER_OTLP_ENDPOINT) and on (every span exported over OTLP/HTTP
// to an in-process receiver, whose decoding is counted in cpu-ms/op too).
// The difference is the trace overhead per evaluation.
func BenchmarkEvaluateTracing(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			var tp trace.TracerProvider
			var p *tracing.Provider
			if on {
				var err error
				if p, err = tracing.New(tracing.Config{Endpoint: tracingtest.New(b).URL}); err != nil {
					b.Fatal(err)
				}
				tp = p
			}
			eng, env, keys := benchEngine(b, tp)
			ctx := context.Background()
			states := []string{"APPROVE", "REQUEST_CHANGES"}
			review := func(i int) {
				k := keys[i%len(keys)]
				if _, err := env.Sim.SubmitReview("acme", "payments", k.Number, "carol", states[(i/len(keys))%2], ""); err != nil {
					b.Fatal(err)
				}
			}
			for i := range 2 * len(keys) { // cold, then warm caches
				review(i)
				if _, err := eng.Reevaluate(ctx, keys[i%len(keys)]); err != nil {
					b.Fatal(err)
				}
			}
			cpu0 := processCPU(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				review(i)
				b.StartTimer()
				if _, err := eng.Reevaluate(ctx, keys[i%len(keys)]); err != nil {
					b.Fatal(err)
				}
			}
			if p != nil {
				if err := p.Shutdown(ctx); err != nil { // export what is buffered, inside the measure
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// benchEngine wires an engine as app.Run does, over the simulator, with
// 50 gated pull requests.
func benchEngine(b *testing.B, tp trace.TracerProvider) (*Engine, *ghclienttest.Env, []store.PRKey) {
	env := ghclienttest.New(b, func(c *ghclient.Config) { c.TracerProvider = tp })
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "zgate.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	m, err := metrics.New(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]string{"deploy/prod/payments.yml": "replicas: 3\n"}
	for name, path := range map[string]string{".github/CODEOWNERS": "codeowners", ".github/zgate.yml": "zgate.yml"} {
		data, err := os.ReadFile(filepath.Join("testdata", path))
		if err != nil {
			b.Fatal(err)
		}
		files[name] = string(data)
	}
	if err := env.Sim.CreateRepo("acme", "payments", files); err != nil {
		b.Fatal(err)
	}
	for _, tm := range [][2]string{{"sre", "carol"}, {"security", "carol"}, {"security", "dave"}} {
		if err := env.Sim.AddTeamMember("acme", tm[0], tm[1], "active"); err != nil {
			b.Fatal(err)
		}
	}
	auditLog := audit.New(st, time.Now)
	eng, err := New(Config{
		Clients: env.Apps,
		Gatherer: &facts.Gatherer{Members: facts.NewMembershipCache(time.Hour, nil), Pulls: facts.NewPullCache(0),
			Pushes: facts.StorePushes{Store: st}, Configs: facts.NewConfigCache(facts.DefaultConfigCacheBytes)},
		Publisher:      &report.Publisher{Store: st},
		Executor:       &act.Executor{Store: st, Audit: auditLog},
		Store:          st,
		Queue:          &recordingQueue{},
		Audit:          auditLog,
		Metrics:        m,
		Pending:        st,
		TracerProvider: tp,
	})
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]store.PRKey, 50)
	for i := range keys {
		branch := fmt.Sprintf("feature-%d", i)
		if _, err := env.Sim.Push("acme", "payments", branch, map[string]string{"deploy/prod/payments.yml": fmt.Sprintf("replicas: %d\n", i+5)}, nil, "alice"); err != nil {
			b.Fatal(err)
		}
		n, err := env.Sim.OpenPR("acme", "payments", githubsim.PROptions{Head: branch, Base: "main", Title: branch, Author: "alice"})
		if err != nil {
			b.Fatal(err)
		}
		keys[i] = store.PRKey{Installation: env.Sim.InstallationID("acme"), Owner: "acme", Repo: "payments", Number: n}
	}
	return eng, env, keys
}
