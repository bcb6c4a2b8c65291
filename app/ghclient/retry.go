package ghclient

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// retryTransport retries idempotent requests on transient failures. A
// POST, PUT, PATCH or DELETE is sent once: for a merge or a dispatch only
// the caller can tell whether a second try is safe.
type retryTransport struct {
	next   http.RoundTripper
	policy RetryPolicy
	log    *slog.Logger
	now    func() time.Time
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !idempotent(req) {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		resp, err := t.next.RoundTrip(req)
		if attempt >= t.policy.MaxAttempts {
			return resp, err
		}
		wait, retry := t.decide(ctx, resp, err, attempt)
		if !retry {
			return resp, err
		}
		if resp != nil {
			drain(resp)
		}
		t.log.DebugContext(ctx, "retrying GitHub request",
			"method", req.Method, "url", req.URL.Redacted(), "attempt", attempt,
			"wait", wait, "status", statusOf(resp), "err", err)
		if serr := t.policy.Sleep(ctx, wait); serr != nil {
			if err != nil {
				return nil, err
			}
			return nil, serr
		}
		if req.GetBody != nil {
			body, berr := req.GetBody()
			if berr != nil {
				return nil, berr
			}
			req = req.Clone(ctx)
			req.Body = body
		}
	}
}

// decide reports whether to retry after this attempt and how long to wait.
func (t *retryTransport) decide(ctx context.Context, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	backoff := t.backoff(attempt)
	if err != nil {
		if ctx.Err() != nil {
			return 0, false
		}
		return backoff, true
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests,
		resp.StatusCode == http.StatusForbidden && rateLimited(resp):
		return t.serverWait(resp, backoff)
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		if ra, ok := retryAfter(resp, t.now()); ok {
			return t.capWait(ra)
		}
		return backoff, true
	}
	return 0, false
}

// serverWait honours Retry-After, then X-RateLimit-Reset when the primary
// limit is spent, else falls back to the backoff.
func (t *retryTransport) serverWait(resp *http.Response, backoff time.Duration) (time.Duration, bool) {
	if ra, ok := retryAfter(resp, t.now()); ok {
		return t.capWait(ra)
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return t.capWait(time.Unix(reset, 0).Sub(t.now()) + time.Second)
		}
	}
	return backoff, true
}

// capWait refuses waits longer than MaxWait: better to fail the request
// and let the job queue come back than to hold a worker for minutes.
func (t *retryTransport) capWait(d time.Duration) (time.Duration, bool) {
	if d < 0 {
		d = 0
	}
	if d > t.policy.MaxWait {
		return 0, false
	}
	return d, true
}

// backoff is BaseDelay*2^(attempt-1), capped at MaxDelay, with full jitter.
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.policy.BaseDelay
	for i := 1; i < attempt && d < t.policy.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, t.policy.MaxDelay)
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

// idempotent reports whether a request may be sent again: GET and HEAD,
// and the installation token exchange (an extra token is harmless, and
// without one nothing else works).
func idempotent(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false // the body could not be sent again
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		return strings.HasPrefix(path.Base(req.URL.Path), "access_tokens") &&
			strings.Contains(req.URL.Path, "/app/installations/")
	}
	return false
}

// rateLimited reports whether a 403 is a rate limit rather than a
// permission problem: a Retry-After header, a spent primary limit, or the
// messages GitHub documents for secondary limits.
func rateLimited(resp *http.Response) bool {
	if resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-RateLimit-Remaining") == "0" {
		return true
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return false
	}
	msg := strings.ToLower(string(body))
	return strings.Contains(msg, "secondary rate limit") ||
		strings.Contains(msg, "abuse detection") ||
		strings.Contains(msg, "api rate limit exceeded")
}

// retryAfter parses Retry-After as seconds or an HTTP date.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return at.Sub(now), true
	}
	return 0, false
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
