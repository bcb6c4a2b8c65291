package server

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"

	"crypto/sha256"
)

// Intake results beyond those of webhook.go.
const (
	resultBusy    = "busy"
	resultTimeout = "timeout"
)

// retryAfterBusy is the Retry-After of a 503 given when every read slot is
// taken (GitHub does not retry by itself; the redelivery loop does).
const retryAfterBusy = "5"

// readBody reads and authenticates a webhook body. Everything that can be
// refused without the body is refused before reading it: a missing or
// malformed signature header, a declared length past [MaxBodyBytes]. The
// delivery then holds one of a bounded number of slots until it is
// answered, reads with a deadline, and reads into a pooled buffer: neither
// many large bodies nor slow ones can exhaust memory or connections, and
// a stream of large bodies with bad signatures reuses the same buffers
// instead of leaving garbage behind. ok is false when the request was
// answered; otherwise the caller must call done once it no longer uses
// body.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, log *slog.Logger, rej Rejection) (body []byte, done func(), ok bool) {
	sig := r.Header.Get("X-Hub-Signature-256")
	if !wellFormedSignature(sig) {
		rej.Status, rej.Reason = http.StatusUnauthorized, "missing or malformed X-Hub-Signature-256"
		s.rejectUnauthenticated(w, r, log, rej, resultUnauthorized)
		return nil, nil, false
	}
	if r.ContentLength > MaxBodyBytes {
		rej.Status, rej.Reason = http.StatusRequestEntityTooLarge, "body larger than 25 MiB"
		s.rejectUnauthenticated(w, r, log, rej, resultTooLarge)
		return nil, nil, false
	}
	if !s.reads.acquire(r.Context(), s.cfg.ReadWait) {
		w.Header().Set("Retry-After", retryAfterBusy)
		rej.Status, rej.Reason = http.StatusServiceUnavailable, "too many webhook deliveries in progress"
		s.rejectUnauthenticated(w, r, log, rej, resultBusy)
		return nil, nil, false
	}
	buf := s.bufs.Get().(*bytes.Buffer)
	done = func() {
		buf.Reset()
		s.bufs.Put(buf)
		s.reads.release()
	}
	// The deadline covers this read only (net/http lifts it once the body
	// is in); a server without ReadTimeout (tests, embedders) is covered
	// too. Recorders cannot set deadlines.
	deadline := s.cfg.Now().Add(s.cfg.BodyReadTimeout)
	if err := http.NewResponseController(w).SetReadDeadline(deadline); err != nil && !errors.Is(err, http.ErrNotSupported) {
		log.Debug("cannot set the body read deadline", "err", err)
	}
	err := readInto(buf, http.MaxBytesReader(w, r.Body, MaxBodyBytes), r.ContentLength)
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			rej.Status, rej.Reason = http.StatusRequestEntityTooLarge, "body larger than 25 MiB"
			s.rejectUnauthenticated(w, r, log, rej, resultTooLarge)
		case errors.Is(err, os.ErrDeadlineExceeded):
			rej.Status, rej.Reason = http.StatusRequestTimeout, "body not received within "+s.cfg.BodyReadTimeout.String()
			s.rejectUnauthenticated(w, r, log, rej, resultTimeout)
		default:
			rej.Status, rej.Reason = http.StatusBadRequest, "cannot read body"
			s.rejectUnauthenticated(w, r, log, rej, resultBadRequest)
		}
		done()
		return nil, nil, false
	}
	if err := s.verify(log, buf.Bytes(), sig); err != nil {
		rej.Status, rej.Reason = http.StatusUnauthorized, "bad X-Hub-Signature-256"
		s.rejectUnauthenticated(w, r, log, rej, resultUnauthorized)
		done()
		return nil, nil, false
	}
	return buf.Bytes(), done, true
}

// readInto reads a body of declared length n (-1: unknown) into buf,
// growing it once when n is known rather than doubling as it fills.
func readInto(buf *bytes.Buffer, r io.Reader, n int64) error {
	if n > 0 {
		// ReadFrom wants bytes.MinRead of room to see the end.
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(r)
	return err
}

// wellFormedSignature reports whether header can be a SHA-256 signature
// ("sha256=" and 64 hex digits), without the body.
func wellFormedSignature(header string) bool {
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(hexSum) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(hexSum)
	return err == nil
}

// payload returns the JSON payload of an authenticated body: GitHub sends
// it as application/json, or as application/x-www-form-urlencoded with the
// JSON in the "payload" field (the signature covers the encoded body).
func payload(contentType string, body []byte) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("content type %q: %w", clip(contentType), err)
	}
	switch mt {
	case "application/json":
		return body, nil
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("form-encoded body: %w", err)
		}
		if !v.Has("payload") {
			return nil, errors.New("form-encoded body has no payload field")
		}
		return []byte(v.Get("payload")), nil
	}
	return nil, fmt.Errorf("content type must be application/json or application/x-www-form-urlencoded, got %q", clip(mt))
}

// rejectUnauthenticated answers a request refused before it was
// authenticated. Anyone can send those, so the audit log gets a rate
// limited, clipped record (the metrics and a debug log get every one) and
// the connection is closed rather than drained.
func (s *Server) rejectUnauthenticated(w http.ResponseWriter, r *http.Request, log *slog.Logger, rej Rejection, result string) {
	w.Header().Set("Connection", "close")
	rej = clipRejection(rej)
	ok, suppressed := s.limiter.allow(s.cfg.Now())
	if !ok {
		log.Debug("webhook rejected", "status", rej.Status, "reason", rej.Reason, "remote", rej.Remote)
		s.count(rej.Event, result)
		respond(w, rej.Status, rej.Reason)
		return
	}
	rej.Suppressed = suppressed
	s.reject(w, r, log, rej, result)
}

// clipRejection clips the values a request supplied.
func clipRejection(rej Rejection) Rejection {
	rej.Delivery, rej.Event, rej.Remote = clip(rej.Delivery), clip(rej.Event), clip(rej.Remote)
	rej.Reason = clipN(rej.Reason, 4*maxRecorded)
	return rej
}
