package facts

import (
	"errors"
	"testing"
	"time"
)

// TestAfterRetarget: an override counts only from the second after the
// latest base change, whenever the head was first seen.
func TestAfterRetarget(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 11, 30, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	tests := []struct {
		name          string
		seen, changed *time.Time
		want          *time.Time
	}{
		{"never retargeted", at(0), nil, at(0)},
		{"head unseen stays unseen", nil, at(0), nil},
		{"retarget after the head", at(0), at(time.Minute), at(time.Minute + time.Second)},
		{"retarget long before the head", at(time.Hour), at(0), at(time.Hour)},
		{"same second", at(0), at(0), at(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := afterRetarget(tt.seen, tt.changed)
			if (got == nil) != (tt.want == nil) || (got != nil && !got.Equal(*tt.want)) {
				t.Errorf("afterRetarget = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBaseSettled: facts read at, or within baseSettle after, a base
// change are refused (the files may be of another base).
func TestBaseSettled(t *testing.T) {
	read := time.Date(2026, 11, 24, 11, 30, 10, 500_000_000, time.UTC)
	at := func(d time.Duration) *time.Time { x := read.Add(d).Truncate(time.Second); return &x }
	for _, tt := range []struct {
		name    string
		changed *time.Time
		ok      bool
	}{
		{"never", nil, true},
		{"long before", at(-time.Minute), true},
		{"just before the margin", at(-3 * time.Second), true},
		{"within the margin", at(-time.Second), false},
		{"the second of the read", at(0), false},
		{"after the read", at(time.Second), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := baseSettled(tt.changed, read)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrHeadMoved)) {
				t.Errorf("baseSettled(%v) = %v, want ok %v", tt.changed, err, tt.ok)
			}
		})
	}
}
