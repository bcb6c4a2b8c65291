package codeowners

import (
	"errors"
	"testing"
	"unicode/utf8"
)

func FuzzCompilePattern(f *testing.F) {
	for _, tc := range loadPatternCases(f) {
		for _, p := range append(tc.Match, tc.NoMatch...) {
			f.Add(tc.Pattern, p)
		}
	}
	var bad []struct {
		Pattern string `json:"pattern"`
	}
	readJSON(f, "testdata/bad_patterns.json", &bad)
	for _, tc := range bad {
		f.Add(tc.Pattern, "a/b")
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		if len(pattern) > 1<<10 || len(path) > 1<<10 {
			return
		}
		p, err := CompilePattern(pattern)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %T (%v) is not a *PatternError wrapping ErrInvalid", err, err)
			}
			if pe.Offset < 0 || pe.Offset > len(pattern) || pe.Msg == "" {
				t.Fatalf("PatternError offset %d outside %q or no message", pe.Offset, pattern)
			}
			return
		}
		got := p.Match(path)
		if !utf8.ValidString(pattern) || !utf8.ValidString(path) {
			return
		}
		if re, ok := oracleRegexp(pattern); ok {
			if want := oracleMatch(re, path); got != want {
				t.Errorf("%q.Match(%q) = %v, oracle %v (regexp %s)", pattern, path, got, want, re)
			}
		}
	})
}
