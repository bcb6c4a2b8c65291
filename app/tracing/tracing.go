package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Scope is the instrumentation scope of zgate's spans.
const Scope = "github.com/zgate-dev/zgate"

// Config configures [New].
type Config struct {
	// Endpoint is the OTLP/HTTP base URL, as OTEL_EXPORTER_OTLP_ENDPOINT
	// gives it ("http://collector:4318"); spans go to Endpoint/v1/traces.
	Endpoint string
	// Headers are sent with every export (OTEL_EXPORTER_OTLP_HEADERS).
	Headers map[string]string
	// Service names the process (service.name); "zgate" when empty.
	Service string
	// Version is service.version; optional.
	Version string
	// HTTPClient carries the exports; a default client when nil.
	HTTPClient *http.Client
	// BatchTimeout is how long spans wait to be exported together; the
	// SDK's default (5 s) when zero.
	BatchTimeout time.Duration
}

// Provider is a tracer provider with a way to flush it at shutdown.
type Provider struct {
	trace.TracerProvider
	shutdown func(context.Context) error
}

// Shutdown exports the spans still buffered and stops exporting.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p.shutdown == nil {
		return nil
	}
	return p.shutdown(ctx)
}

// Off is the provider used when tracing is off: every span is a no-op.
func Off() *Provider { return &Provider{TracerProvider: noop.NewTracerProvider()} }

// ErrEndpoint is wrapped by the errors of an unusable endpoint.
var ErrEndpoint = errors.New("bad OTLP endpoint")

// New returns the provider for cfg: [Off] when cfg.Endpoint is empty,
// otherwise one batching spans to the OTLP/HTTP endpoint (protobuf).
func New(cfg Config) (*Provider, error) {
	if cfg.Endpoint == "" {
		return Off(), nil
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w %q: want http(s)://HOST[:PORT][/PATH]", ErrEndpoint, cfg.Endpoint)
	}
	// Explicit options take precedence over the OTEL_* variables the
	// exporter would otherwise read itself.
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(strings.TrimSuffix(u.String(), "/") + "/v1/traces")}
	if len(cfg.Headers) > 0 {
		opts = append(opts, otlptracehttp.WithHeaders(cfg.Headers))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, otlptracehttp.WithHTTPClient(cfg.HTTPClient))
	}
	exp, err := otlptracehttp.New(context.Background(), opts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	service := cfg.Service
	if service == "" {
		service = "zgate"
	}
	attrs := []attribute.KeyValue{semconv.ServiceName(service)}
	if cfg.Version != "" {
		attrs = append(attrs, semconv.ServiceVersion(cfg.Version))
	}
	var bopts []sdktrace.BatchSpanProcessorOption
	if cfg.BatchTimeout > 0 {
		bopts = append(bopts, sdktrace.WithBatchTimeout(cfg.BatchTimeout))
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, bopts...),
		sdktrace.WithResource(resource.NewSchemaless(attrs...)),
	)
	return &Provider{TracerProvider: tp, shutdown: tp.Shutdown}, nil
}

// Enabled reports whether tp records spans: false for nil and no-op
// providers, so callers can skip even the cheap no-op work.
func Enabled(tp trace.TracerProvider) bool {
	if p, ok := tp.(*Provider); ok {
		tp = p.TracerProvider
	}
	switch tp.(type) {
	case nil, noop.TracerProvider:
		return false
	}
	return true
}

// Tracer returns zgate's tracer from tp; a no-op one when tp is nil.
func Tracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	return tp.Tracer(Scope)
}

// Attribute keys of zgate's spans.
const (
	AttrRepo     = attribute.Key("zgate.repo")
	AttrPR       = attribute.Key("zgate.pr")
	AttrGate     = attribute.Key("zgate.gate")
	AttrHeadSHA  = attribute.Key("zgate.head_sha")
	AttrDelivery = attribute.Key("github.delivery")
	AttrEvent    = attribute.Key("github.event")
)

// httpStatus is the semantic-convention key of a response's status code.
const httpStatus = attribute.Key("http.response.status_code")
