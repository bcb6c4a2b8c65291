package facts

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/policy"
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

// TestRenamedPushers: a pusher whose account now has another login (seen
// on a review or comment with the same id) is listed again under it.
func TestRenamedPushers(t *testing.T) {
	b := newBotSet()
	b.add(&github.User{ID: github.Int64(7), Login: github.String("carol2")})
	b.add(&github.User{ID: github.Int64(8), Login: github.String("Dave")})
	got := b.renamed([]policy.Pusher{
		{Login: "carol", HeadSHA: "abc", ID: 7},
		{Login: "dave", HeadSHA: "abc", ID: 8}, // same login, other case
		{Login: "erin", HeadSHA: "abc"},        // id unknown
	})
	want := []policy.Pusher{
		{Login: "carol", HeadSHA: "abc", ID: 7}, {Login: "dave", HeadSHA: "abc", ID: 8}, {Login: "erin", HeadSHA: "abc"},
		{Login: "carol2", HeadSHA: "abc", ID: 7},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("renamed mismatch (-want +got):\n%s", diff)
	}
}
