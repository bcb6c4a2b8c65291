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
	"github.com/zgate-dev/zgate/app/internal/proccpu"
	"github.com/zgate-dev/zgate/app/metrics"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
)

// BenchmarkEvaluateReviewEvent measures the evaluation a review event
// causes, in process against the simulator, as `zgate serve` runs it:
// carol's review flips between approve and request changes (each flip
// changes the check run; the quorum of two is never reached), then the
// engine re-evaluates the pull request with warm caches. The simulator's
// own time is included; profile with -cpuprofile and look below
// Engine.Reevaluate for zgate's share. Wall time (ns/op) mostly waits for
// SQLite's fsync; cpu-ms/op is the process's user and system CPU per
// evaluation (simulator included), the figure the load benchmark's
// cpu-ms/eval measures for zgate alone.
func BenchmarkEvaluateReviewEvent(b *testing.B) {
	eng, env, keys := benchEngine(b, nil)
	benchReviewEvents(b, eng, env, keys, nil)
	calls, notModified := env.Counter.Total()
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(float64(notModified)/float64(b.N), "304s/op")
}

// benchReviewEvents flips carol's review on keys round robin (so each
// pull request's review list stays short whatever b.N is), warming the
// caches with two rounds, then times b.N re-evaluations, each after one
// flip, and reports the process's CPU per evaluation. flush, when set,
// runs inside the measure after the last one. The simulator's call
// counter starts at the timed part.
func benchReviewEvents(b *testing.B, eng *Engine, env *ghclienttest.Env, keys []store.PRKey, flush func(context.Context) error) {
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
	env.Counter.Reset()
	cpu0 := proccpu.Of(b)
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
	if flush != nil {
		if err := flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((proccpu.Of(b)-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
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
		Gatherer: &facts.Gatherer{Members: facts.NewMembershipCache(time.Hour, nil), Pulls: facts.NewPullCache(0), Lists: facts.NewListMemo(0),
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
