package ghclient

import (
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// traceTransport starts a client span per GitHub call, a child of the
// span in the request's context (the evaluation's gather, publish or Z).
// Retries and the ETag cache sit below it: one span per call as go-github
// made it, with the status it finally got.
type traceTransport struct {
	next     http.RoundTripper
	tracer   trace.Tracer
	basePath string
}

func (t *traceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	route := Route(t.basePath, req.URL.Path)
	ctx, span := t.tracer.Start(req.Context(), "GitHub "+req.Method+" "+route, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", req.Method), attribute.String("url.template", route)))
	defer span.End()
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "transport error")
		return resp, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetStatus(codes.Error, resp.Status)
	}
	return resp, nil
}

// withTracing wraps tr in a traceTransport when tp records spans.
func withTracing(tr http.RoundTripper, tp trace.TracerProvider, basePath string) http.RoundTripper {
	switch tp.(type) {
	case nil, noop.TracerProvider:
		return tr
	}
	return &traceTransport{next: tr, tracer: tp.Tracer("github.com/zgate-dev/zgate/app/ghclient"), basePath: basePath}
}

// rateTransport reports GitHub's X-RateLimit-Remaining of each answer to
// an installation (304s carry it too).
type rateTransport struct {
	next         http.RoundTripper
	installation int64
	hook         func(installation int64, remaining int)
}

func (t *rateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if resp != nil {
		if n, ok := RateRemaining(resp.Header); ok {
			t.hook(t.installation, n)
		}
	}
	return resp, err
}

// RateRemaining parses the X-RateLimit-Remaining header; ok is false
// when it is absent or not a non-negative integer.
func RateRemaining(h http.Header) (remaining int, ok bool) {
	v := h.Get("X-RateLimit-Remaining")
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
