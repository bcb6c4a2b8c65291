package mergequeue

import (
	"errors"
	"strings"
	"testing"
)

const sha1 = "0123456789abcdef0123456789abcdef01234567"

func TestParseRef(t *testing.T) {
	sha256 := strings.Repeat("ab", 32)
	tests := []struct {
		name, in string
		want     Ref
		bad      bool
	}{
		{"full", "refs/heads/gh-readonly-queue/main/pr-12-" + sha1, Ref{"main", 12, sha1}, false},
		{"short", "gh-readonly-queue/main/pr-7-" + sha1, Ref{"main", 7, sha1}, false},
		{"base with slashes", "refs/heads/gh-readonly-queue/release/v1.2/pr-3-" + sha1, Ref{"release/v1.2", 3, sha1}, false},
		{"sha256", "gh-readonly-queue/main/pr-1-" + sha256, Ref{"main", 1, sha256}, false},
		{"other branch", "refs/heads/main", Ref{}, true},
		{"tag", "refs/tags/gh-readonly-queue/main/pr-1-" + sha1, Ref{}, true},
		{"no base", "gh-readonly-queue/pr-1-" + sha1, Ref{}, true},
		{"empty base segment", "gh-readonly-queue/a//b/pr-1-" + sha1, Ref{}, true},
		{"no pr", "gh-readonly-queue/main/x-1-" + sha1, Ref{}, true},
		{"zero", "gh-readonly-queue/main/pr-0-" + sha1, Ref{}, true},
		{"leading zero", "gh-readonly-queue/main/pr-01-" + sha1, Ref{}, true},
		{"negative", "gh-readonly-queue/main/pr--1-" + sha1, Ref{}, true},
		{"plus", "gh-readonly-queue/main/pr-+1-" + sha1, Ref{}, true},
		{"short sha", "gh-readonly-queue/main/pr-1-abc123", Ref{}, true},
		{"upper sha", "gh-readonly-queue/main/pr-1-" + strings.ToUpper(sha1), Ref{}, true},
		{"no sha", "gh-readonly-queue/main/pr-1", Ref{}, true},
		{"empty", "", Ref{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRef(tt.in)
			if tt.bad {
				if !errors.Is(err, ErrNotQueueRef) {
					t.Fatalf("ParseRef(%q) = %+v, %v; want ErrNotQueueRef", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRef(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			if back, err := ParseRef(got.String()); err != nil || back != got {
				t.Errorf("round trip of %q: %+v, %v", got.String(), back, err)
			}
		})
	}
}

func FuzzParseRef(f *testing.F) {
	f.Add("refs/heads/gh-readonly-queue/main/pr-12-" + sha1)
	f.Add("gh-readonly-queue/release/v1/pr-3-" + sha1)
	f.Add("refs/heads/gh-readonly-queue//pr-1-")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			if !errors.Is(err, ErrNotQueueRef) {
				t.Fatalf("error %v does not wrap ErrNotQueueRef", err)
			}
			return
		}
		if r.PR <= 0 || r.Base == "" || !isSHA(r.HeadSHA) {
			t.Fatalf("ParseRef(%q) accepted %+v", s, r)
		}
		back, err := ParseRef(r.String())
		if err != nil || back != r {
			t.Fatalf("round trip of %q: %+v, %v (want %+v)", s, back, err, r)
		}
	})
}
