package engine

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zgate-dev/zgate/policy"
)

func TestExplanation(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	pending := &policy.Decision{Gates: []policy.GateDecision{{
		Name: "production", Check: "zgate/production", State: policy.StatePending,
		Summary: "0 of 2 controls hold", Missing: []string{"@acme/sre: approval from one of @bob"}, Quorum: 2,
	}, {
		Name: "docs", Check: "zgate/docs", State: policy.StateSkipped, Summary: "skipped: no changed file matches if.paths (docs/**)",
	}}}
	tests := []struct {
		name    string
		dec     *policy.Decision
		why     string
		want    []string
		notWant []string
	}{
		{"gates", pending, "", []string{"### zgate/production:", "@\u200bacme/sre", "@\u200bbob", "### zgate/docs:", "skipped: no changed file"}, []string{"@acme/", "@bob"}},
		{"no decision", nil, "The base branch has no zgate policy, so this pull request is not gated.", []string{"no zgate policy"}, nil},
		{"no gates", &policy.Decision{}, "", []string{"The policy has no gates."}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Explanation(nil, tc.dec, tc.why, now)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("Explanation() = %q, want it to contain %q", got, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("Explanation() = %q, want no %q (a mention)", got, w)
				}
			}
		})
	}
}

func TestClipComment(t *testing.T) {
	short := strings.Repeat("é", 10)
	if got := clipComment(short); got != short {
		t.Errorf("clipComment(short) = %q, want it unchanged", got)
	}
	long := clipComment(strings.Repeat("é", maxComment+10))
	if n := utf8.RuneCountInString(long); n != maxComment || !strings.HasSuffix(long, "(truncated: see the check runs)") {
		t.Errorf("clipComment(long): %d characters ending %q, want %d ending with the note", n, long[len(long)-40:], maxComment)
	}
}
