package queue

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{"first, no jitter", 0, 0, 500 * time.Millisecond},
		{"first, most jitter", 0, 0.999, 999500 * time.Microsecond},
		{"third", 2, 0.5, 3 * time.Second},
		{"capped", 20, 0, 30 * time.Second},
		{"huge attempt", 1000, 1, time.Minute},
	} {
		if got := backoff(tc.attempt, time.Minute, tc.jitter); got != tc.want {
			t.Errorf("%s: backoff(%d, 1m, %v) = %v, want %v", tc.name, tc.attempt, tc.jitter, got, tc.want)
		}
	}
}
