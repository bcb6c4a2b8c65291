package server

import (
	"context"
	"sync"
	"time"
	"unicode/utf8"
)

// Defaults for the intake limits in [Config].
const (
	// DefaultMaxConcurrentReads bounds the webhook bodies read at once:
	// at most this many times [MaxBodyBytes] is held for bodies.
	DefaultMaxConcurrentReads = 4
	// DefaultReadWait is how long a delivery waits for a read slot before
	// it is answered 503: GitHub gives up on a delivery after 10 s.
	DefaultReadWait = 2 * time.Second
	// DefaultBodyReadTimeout bounds reading one webhook body.
	DefaultBodyReadTimeout = 10 * time.Second
)

// Audit records of unauthenticated rejections are rate limited: a burst of
// rejectBurst, then one per rejectEvery. Metrics and logs count every one.
const (
	rejectBurst = 10
	rejectEvery = time.Minute
)

// maxRecorded caps each header value written to the audit log or logs.
const maxRecorded = 128

// clip shortens a value taken from a request to maxRecorded bytes, on a
// rune boundary, marking the cut.
func clip(s string) string { return clipN(s, maxRecorded) }

// clipN shortens s to at most n bytes, on a rune boundary, marking the cut.
func clipN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// readSlots is a counting semaphore over body reads.
type readSlots chan struct{}

// acquire takes a slot, waiting at most wait; false when none freed up.
func (r readSlots) acquire(ctx context.Context, wait time.Duration) bool {
	select {
	case r <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case r <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (r readSlots) release() { <-r }

// rejectLimiter is a token bucket deciding which unauthenticated rejections
// reach the audit log; it counts the ones left out, so the next record
// says how many there were.
type rejectLimiter struct {
	mu         sync.Mutex
	tokens     float64
	last       time.Time
	suppressed int
}

// allow reports whether a record may be written at now and, if so, how
// many were suppressed since the last one written.
func (l *rejectLimiter) allow(now time.Time) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens = rejectBurst
	} else if d := now.Sub(l.last); d > 0 {
		l.tokens = min(rejectBurst, l.tokens+float64(d)/float64(rejectEvery))
	}
	if now.After(l.last) {
		l.last = now
	}
	if l.tokens < 1 {
		l.suppressed++
		return false, 0
	}
	l.tokens--
	suppressed, l.suppressed = l.suppressed, 0
	return true, suppressed
}
