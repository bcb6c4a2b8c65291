package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/tracing"
)

// tracingEnv are the OpenTelemetry variables `zgate serve` reads: the
// standard names, so a collector sidecar's usual setup works as is.
const (
	envOTLPEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envServiceName  = "OTEL_SERVICE_NAME"
)

// startTracing turns traces on when OTEL_EXPORTER_OTLP_ENDPOINT is set:
// spans go to it over OTLP/HTTP, and log lines logged with a traced
// context carry the trace id. Unset, o is unchanged (no tracing, no
// cost). The returned stop flushes the spans still buffered.
func startTracing(o *app.Options, getenv func(string) string) (stop func(), err error) {
	endpoint := getenv(envOTLPEndpoint)
	if endpoint == "" {
		return func() {}, nil
	}
	p, err := tracing.New(tracing.Config{Endpoint: endpoint, Service: getenv(envServiceName)})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envOTLPEndpoint, err)
	}
	o.TracerProvider = p
	o.Logger = slog.New(tracing.LogHandler(o.Logger.Handler()))
	o.Logger.Info("tracing on", "otlp_endpoint", endpoint)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			o.Logger.Warn("cannot flush the last spans", "err", err)
		}
	}, nil
}
