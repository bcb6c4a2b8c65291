package facts

import (
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
