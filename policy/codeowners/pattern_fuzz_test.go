package codeowners

import (
	"errors"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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

// FuzzSplitSegments holds the compiler's tokenizer, which cuts unescaped
// literals out of the pattern and reuses its scratch space, to
// referenceSplit, which builds every literal: the same segments, tokens
// and errors, escapes included.
func FuzzSplitSegments(f *testing.F) {
	for _, p := range []string{`a/b`, `\#x/y\ z`, `a\*b*c?d`, `x\`, `a\/b/`, `/**/\*\*/c`, `é\é*[`, `\\a`} {
		f.Add(p, "a/b\\c")
	}
	var c compiler // reused, as Parse reuses it
	f.Fuzz(func(t *testing.T, p1, p2 string) {
		for _, pattern := range []string{p1, p2} {
			want, wantErr := referenceSplit(pattern)
			err := c.splitSegments(pattern)
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Fatalf("%q: error %v, reference %v", pattern, err, wantErr)
			}
			if err != nil {
				continue
			}
			got := make([]refSegment, len(c.raws))
			for i, r := range c.raws {
				got[i] = refSegment{offset: r.offset, text: r.text, toks: slices.Clone(c.toks[r.tok0:r.tok1])}
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(refSegment{}, globToken{}), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%q: segments differ from the reference (-want +got):\n%s", pattern, diff)
			}
		}
	})
}
