package tracing

import (
	"net/http"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Handler starts a trace per webhook delivery (POST path) on next: the
// span carries the delivery id and event and the answer's status, and the
// request's context carries it to the handler's logs. Other requests
// (health, metrics) are not traced. With a no-op provider it is next.
func Handler(next http.Handler, tp trace.TracerProvider, path string) http.Handler {
	if !Enabled(tp) {
		return next
	}
	tracer := Tracer(tp)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != path {
			next.ServeHTTP(w, r)
			return
		}
		ctx, span := tracer.Start(r.Context(), "webhook delivery", trace.WithNewRoot(), trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(AttrDelivery.String(r.Header.Get("X-GitHub-Delivery")), AttrEvent.String(r.Header.Get("X-GitHub-Event"))))
		defer span.End()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))
		span.SetAttributes(httpStatus.Int(sw.status))
		if sw.status >= 400 {
			span.SetStatus(codes.Error, http.StatusText(sw.status))
		}
	})
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
