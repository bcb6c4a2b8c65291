// Package tracing sets up zgate's OpenTelemetry traces: an OTLP/HTTP
// exporter when an endpoint is given ([New]), nothing otherwise (a no-op
// provider: a span costs well under a microsecond, one small allocation;
// see BenchmarkSpanOff), a
// span per webhook delivery ([Handler]), and the trace id in log lines
// ([LogHandler], [Logger]). The engine and the GitHub client start their
// own spans from the provider they are given. The package never reads
// the environment: cmd/zgate passes the endpoint.
package tracing
