package codeowners

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// patternCase is one entry of testdata/patterns.json.
type patternCase struct {
	Name    string   `json:"name"`
	Pattern string   `json:"pattern"`
	Match   []string `json:"match"`
	NoMatch []string `json:"nomatch"`
}

func loadPatternCases(t testing.TB) []patternCase {
	t.Helper()
	var cases []patternCase
	readJSON(t, filepath.Join("testdata", "patterns.json"), &cases)
	return cases
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestPatternMatch(t *testing.T) {
	cases := loadPatternCases(t)
	n := 0
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			p, err := CompilePattern(tc.Pattern)
			if err != nil {
				t.Fatalf("CompilePattern(%q) error: %v", tc.Pattern, err)
			}
			if p.String() != tc.Pattern {
				t.Errorf("String() = %q, want %q", p.String(), tc.Pattern)
			}
			for _, path := range tc.Match {
				if got := p.Match(path); !got {
					t.Errorf("%q.Match(%q) = false, want true", tc.Pattern, path)
				}
			}
			for _, path := range tc.NoMatch {
				if got := p.Match(path); got {
					t.Errorf("%q.Match(%q) = true, want false", tc.Pattern, path)
				}
			}
		})
		n += len(tc.Match) + len(tc.NoMatch)
	}
	if n < 40 {
		t.Errorf("only %d pattern/path cases, want at least 40", n)
	}
}

func TestCompilePatternErrors(t *testing.T) {
	var cases []struct {
		Name    string `json:"name"`
		Pattern string `json:"pattern"`
		Offset  int    `json:"offset"`
	}
	readJSON(t, filepath.Join("testdata", "bad_patterns.json"), &cases)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			p, err := CompilePattern(tc.Pattern)
			if err == nil {
				t.Fatalf("CompilePattern(%q) = %v, want an error", tc.Pattern, p)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *PatternError", err)
			}
			if pe.Offset != tc.Offset {
				t.Errorf("Offset = %d, want %d (%v)", pe.Offset, tc.Offset, err)
			}
		})
	}
}

func TestZeroPatternMatchesNothing(t *testing.T) {
	var p Pattern
	if p.Match("a") {
		t.Error("zero Pattern matched \"a\"")
	}
	var nilp *Pattern
	if nilp.Match("a") {
		t.Error("nil *Pattern matched \"a\"")
	}
}
