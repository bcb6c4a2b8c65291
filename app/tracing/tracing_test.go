package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/zgate-dev/zgate/app/tracing"
	"github.com/zgate-dev/zgate/app/tracing/tracingtest"
)

// TestHandlerTracesDeliveries: a webhook delivery is one trace, exported
// over OTLP/HTTP, with the delivery id, event and status; a log line the
// handler writes with the request's context carries the trace id; other
// requests are not traced.
func TestHandlerTracesDeliveries(t *testing.T) {
	rcv := tracingtest.New(t)
	p, err := tracing.New(tracing.Config{Endpoint: rcv.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(tracing.LogHandler(slog.NewJSONHandler(&logs, nil)))
	h := tracing.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "handled")
		w.WriteHeader(http.StatusAccepted)
	}), p, "/webhook")
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader("{}"))
	req.Header.Set("X-GitHub-Delivery", "d-1")
	req.Header.Set("X-GitHub-Event", "pull_request")
	h.ServeHTTP(httptest.NewRecorder(), req)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := rcv.Spans()
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want 1 (the delivery; /healthz is not traced): %+v", len(spans), spans)
	}
	s := spans[0]
	if s.Name != "webhook delivery" || s.Attrs["github.delivery"] != "d-1" || s.Attrs["github.event"] != "pull_request" || s.Attrs["http.response.status_code"] != "202" {
		t.Errorf("span = %+v", s)
	}
	var lines []map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 || lines[0]["trace_id"] != s.TraceID {
		t.Errorf("log lines = %v, want the delivery's with trace_id %s", lines, s.TraceID)
	}
	if _, ok := lines[1]["trace_id"]; ok {
		t.Errorf("untraced request logged a trace id: %v", lines[1])
	}
}

// TestLoggerAddsTraceIDOnce: a logger derived with Logger carries the
// trace id, and the handler does not add it a second time.
func TestLoggerAddsTraceIDOnce(t *testing.T) {
	rcv := tracingtest.New(t)
	p, err := tracing.New(tracing.Config{Endpoint: rcv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown(context.Background())
	ctx, span := tracing.Tracer(p).Start(context.Background(), "work")
	defer span.End()
	var logs bytes.Buffer
	log := tracing.Logger(ctx, slog.New(tracing.LogHandler(slog.NewTextHandler(&logs, nil))))
	log.InfoContext(ctx, "one")
	if n := strings.Count(logs.String(), "trace_id="); n != 1 {
		t.Errorf("log line %q has %d trace ids, want 1", logs.String(), n)
	}
	if !strings.Contains(logs.String(), "trace_id="+tracing.TraceID(ctx)) {
		t.Errorf("log line %q lacks the trace id %s", logs.String(), tracing.TraceID(ctx))
	}
}

// TestOff: without an endpoint tracing is off: no-op spans without ids,
// loggers and handlers returned as they are.
func TestOff(t *testing.T) {
	p, err := tracing.New(tracing.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if tracing.Enabled(p) || tracing.Enabled(nil) || tracing.Enabled(noop.NewTracerProvider()) {
		t.Errorf("Enabled is true for an off provider")
	}
	ctx, span := tracing.Tracer(p).Start(context.Background(), "x")
	span.End()
	if id := tracing.TraceID(ctx); id != "" {
		t.Errorf("TraceID with tracing off = %q, want empty", id)
	}
	log := slog.New(slog.DiscardHandler)
	if tracing.Logger(ctx, log) != log {
		t.Errorf("Logger with tracing off made a new logger")
	}
	next := http.NotFoundHandler()
	if h := tracing.Handler(next, p, "/webhook"); h == nil {
		t.Errorf("Handler returned nil")
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown of an off provider = %v", err)
	}
}

func TestNewRejectsBadEndpoints(t *testing.T) {
	for _, ep := range []string{"collector:4318", "ftp://collector", "http://", "://x"} {
		if _, err := tracing.New(tracing.Config{Endpoint: ep}); !errors.Is(err, tracing.ErrEndpoint) {
			t.Errorf("New(%q) = %v, want ErrEndpoint", ep, err)
		}
	}
}

// BenchmarkSpanOff is the cost of a span with tracing off.
func BenchmarkSpanOff(b *testing.B) {
	tr := tracing.Tracer(tracing.Off())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, span := tr.Start(ctx, "x")
		span.End()
	}
}
