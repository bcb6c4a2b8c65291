package tracing

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// TraceIDKey is the log attribute carrying the trace id.
const TraceIDKey = "trace_id"

// TraceID returns the id of the trace ctx's span is in, "" when ctx has
// no recording span (tracing off).
func TraceID(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return ""
	}
	return sc.TraceID().String()
}

// Logger returns log with the trace id of ctx, for work that logs without
// a context; log itself when ctx carries no trace.
func Logger(ctx context.Context, log *slog.Logger) *slog.Logger {
	if id := TraceID(ctx); id != "" {
		return log.With(TraceIDKey, id)
	}
	return log
}

// LogHandler wraps h so that records logged with a context (InfoContext
// and the like) carrying a trace get its trace id.
func LogHandler(h slog.Handler) slog.Handler { return &logHandler{next: h} }

type logHandler struct {
	next slog.Handler
	// traced is set on a handler derived by [Logger]: it already has the
	// trace id, which a context must not add again.
	traced bool
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	if !h.traced {
		if id := TraceID(ctx); id != "" {
			r = r.Clone()
			r.AddAttrs(slog.String(TraceIDKey, id))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	traced := h.traced
	for _, a := range as {
		traced = traced || a.Key == TraceIDKey
	}
	return &logHandler{next: h.next.WithAttrs(as), traced: traced}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{next: h.next.WithGroup(name), traced: h.traced}
}
