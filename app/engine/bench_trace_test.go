package engine

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

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
			var flush func(context.Context) error
			if p != nil {
				flush = p.Shutdown // export what is buffered, inside the measure
			}
			benchReviewEvents(b, eng, env, keys, flush)
		})
	}
}
