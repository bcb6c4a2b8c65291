package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// countingBody is a request body of n bytes that counts what is read from
// it, without holding n bytes in memory.
type countingBody struct {
	left int64
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > b.left {
		n = b.left
	}
	for i := range p[:n] {
		p[i] = ' '
	}
	b.left -= n
	b.read.Add(n)
	return int(n), nil
}

// TestWebhookRejectsUnsignedBeforeReading sends 24 MiB bodies without a
// usable signature header: the handler must answer 401 without reading a
// byte, so concurrent unsigned bodies cannot grow memory.
func TestWebhookRejectsUnsignedBeforeReading(t *testing.T) {
	for _, sig := range []string{"", "sha1=0123456789abcdef0123456789abcdef01234567", "sha256=zz", "sha256=" + strings.Repeat("a", 63), "sha256=" + strings.Repeat("a", 65)} {
		t.Run(fmt.Sprintf("signature %.12q", sig), func(t *testing.T) {
			s, _ := newTestServer(t)
			body := &countingBody{left: 24 << 20}
			req := httptest.NewRequest(http.MethodPost, "/webhook", body)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-GitHub-Event", "pull_request")
			req.Header.Set("X-GitHub-Delivery", "d-1")
			if sig != "" {
				req.Header.Set("X-Hub-Signature-256", sig)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", rec.Code)
			}
			if n := body.read.Load(); n != 0 {
				t.Errorf("handler read %d body bytes before rejecting an unsigned delivery, want 0", n)
			}
		})
	}
}

// TestWebhookRejectsOversizeBeforeReading: a declared length past the cap
// is refused without reading.
func TestWebhookRejectsOversizeBeforeReading(t *testing.T) {
	s, _ := newTestServer(t)
	body := &countingBody{left: MaxBodyBytes + 1}
	req := httptest.NewRequest(http.MethodPost, "/webhook", body)
	req.ContentLength = MaxBodyBytes + 1
	req.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("ab", 32))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", rec.Code)
	}
	if n := body.read.Load(); n != 0 {
		t.Errorf("handler read %d bytes of a body declared too large, want 0", n)
	}
}

// blockingBody signals its first Read and then blocks until released.
type blockingBody struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (b *blockingBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	<-b.release
	return 0, io.EOF
}

// TestWebhookBodyReadsCapped: with every read slot taken, a further
// delivery is answered 503 with Retry-After, without reading its body.
func TestWebhookBodyReadsCapped(t *testing.T) {
	s, _ := newTestServerWith(t, func(c *Config) { c.MaxConcurrentReads, c.ReadWait = 1, 20*time.Millisecond })
	sig := "sha256=" + strings.Repeat("ab", 32)

	first := &blockingBody{started: make(chan struct{}), release: make(chan struct{})}
	done := make(chan int)
	go func() {
		req := httptest.NewRequest(http.MethodPost, "/webhook", first)
		req.Header.Set("X-Hub-Signature-256", sig)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		done <- rec.Code
	}()
	<-first.started

	body := &countingBody{left: 1 << 20}
	req := httptest.NewRequest(http.MethodPost, "/webhook", body)
	req.Header.Set("X-Hub-Signature-256", sig)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("second delivery while the read slot is taken: status %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	if n := body.read.Load(); n != 0 {
		t.Errorf("second delivery: %d bytes read, want 0", n)
	}
	close(first.release)
	if code := <-done; code != http.StatusUnauthorized {
		t.Errorf("first delivery (wrong signature): status %d, want 401", code)
	}
	// The slot is free again.
	b := readPayload(t, "pull_request_opened.json")
	if rec := post(t, s.Handler(), "pull_request", "d-2", b, Sign(testSecret, b)); rec.Code != http.StatusAccepted {
		t.Errorf("delivery after the slot was released: status %d, want 202", rec.Code)
	}
}

// TestWebhookBodyReadDeadline: a body trickling in is cut off at the read
// deadline, even when the HTTP server itself sets no ReadTimeout.
func TestWebhookBodyReadDeadline(t *testing.T) {
	s, _ := newTestServerWith(t, func(c *Config) { c.BodyReadTimeout = 300 * time.Millisecond })
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	c, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"+
		"X-GitHub-Event: ping\r\nX-GitHub-Delivery: d-1\r\nX-Hub-Signature-256: sha256=%s\r\n\r\n", strings.Repeat("ab", 32))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for range 100 {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := c.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(4 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer %v after the trickle started: %v", time.Since(start), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status = %d, want 408", resp.StatusCode)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a trickling body held the handler %v, want about the 300ms deadline", d)
	}
}

// TestRejectedAuditBounded: 40 unsigned requests with 400 KB headers
// leave a bounded, clipped trail in the audit log; metrics count them all.
func TestRejectedAuditBounded(t *testing.T) {
	s, f := newTestServer(t)
	junk := strings.Repeat("x", 400<<10)
	for i := range 40 {
		req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader("{}"))
		req.Header.Set("X-GitHub-Event", junk)
		req.Header.Set("X-GitHub-Delivery", junk+fmt.Sprint(i))
		req.Header.Set("X-Hub-Signature-256", "sha256="+junk)
		req.RemoteAddr = junk
		s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}
	size := 0
	suppressed := 0
	for _, r := range f.rejected {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		size += len(b)
		suppressed += r.Suppressed
	}
	if len(f.rejected) > rejectBurst || size > 16<<10 {
		t.Errorf("40 unsigned requests wrote %d audit records, %d bytes; want at most %d records of clipped values", len(f.rejected), size, rejectBurst)
	}
	var m dto.Metric
	if err := s.cfg.Metrics.Webhooks.WithLabelValues("other", resultUnauthorized).Write(&m); err != nil {
		t.Fatal(err)
	}
	if got := m.GetCounter().GetValue(); got != 40 {
		t.Errorf("unauthorized webhooks counted = %v, want 40", got)
	}
	// Once the limit refills, the next record carries the count of those
	// left out.
	s.cfg.Now = func() time.Time { return time.Now().Add(time.Hour) }
	post(t, s.Handler(), "pull_request", "d-late", []byte("{}"), "")
	last := f.rejected[len(f.rejected)-1]
	if last.Delivery != "d-late" || suppressed+last.Suppressed != 40-len(f.rejected)+1 {
		t.Errorf("record after the pause = %+v (%d suppressed earlier); want d-late carrying the %d left out", last, suppressed, 40-len(f.rejected)+1)
	}
}

// TestSignedRejectionsAuditedClipped: signed deliveries that do not parse
// are each recorded, with header values clipped.
func TestSignedRejectionsAuditedClipped(t *testing.T) {
	s, f := newTestServer(t)
	long := strings.Repeat("d", 10<<10)
	for range 2 * rejectBurst {
		post(t, s.Handler(), "pull_request", long, []byte("{"), Sign(testSecret, []byte("{")))
	}
	if len(f.rejected) != 2*rejectBurst {
		t.Errorf("signed rejections audited = %d, want every one (%d)", len(f.rejected), 2*rejectBurst)
	}
	for _, r := range f.rejected {
		if len(r.Delivery) > maxRecorded {
			t.Fatalf("recorded delivery id of %d bytes, want at most %d", len(r.Delivery), maxRecorded)
		}
	}
}

// TestWebhookCannotActIsNotAnError: signed, well-formed deliveries zgate
// cannot act on (repository webhooks carry no installation; payloads
// without the fields zgate needs) are acknowledged with 2xx, not 400:
// GitHub shows every 4xx as a failed delivery.
func TestWebhookCannotActIsNotAnError(t *testing.T) {
	dir := filepath.Join("testdata", "repository_hooks")
	tests := []struct{ event, file string }{
		{"pull_request", "pull_request_opened.json"},
		{"pull_request_review", "pull_request_review_submitted.json"},
		{"issue_comment", "issue_comment_created.json"},
		{"push", "push_codeowners.json"},
		{"status", "status_claims_gate.json"},
		{"check_run", "check_run_rerequested.json"},
		{"pull_request", "pull_request_no_number.json"},
		{"pull_request", "pull_request_no_repository.json"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, f := newTestServer(t)
			body, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			rec := post(t, s.Handler(), tt.event, "d-1", body, Sign(testSecret, body))
			if rec.Code != http.StatusOK {
				t.Errorf("status = %d (%s), want 200", rec.Code, strings.TrimSpace(rec.Body.String()))
			}
			if len(f.keys) != 0 || len(f.rejected) != 0 {
				t.Errorf("enqueued %v, rejected %v; want neither", f.keys, f.rejected)
			}
		})
	}
}

// TestWebhookFormEncoded: GitHub can send payloads as
// application/x-www-form-urlencoded ("payload=<json>"), signed over the
// encoded body.
func TestWebhookFormEncoded(t *testing.T) {
	s, f := newTestServer(t)
	body := []byte("payload=" + url.QueryEscape(string(readPayload(t, "pull_request_opened.json"))))
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-GitHub-Event", "pull_request")
	req.Header.Set("X-GitHub-Delivery", "d-1")
	req.Header.Set("X-Hub-Signature-256", Sign(testSecret, body))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted || len(f.keys) != 1 {
		t.Errorf("form-encoded delivery: status %d (%s), keys %v; want 202 and one key", rec.Code, strings.TrimSpace(rec.Body.String()), f.keys)
	}
}
