package codeowners

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// seedCodeowners adds every CODEOWNERS file in testdata.
func seedCodeowners(f *testing.F, add func(data []byte)) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.CODEOWNERS"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
}

func FuzzParse(f *testing.F) {
	seedCodeowners(f, func(data []byte) { f.Add(data) })
	for _, tc := range loadPatternCases(f) {
		f.Add([]byte(tc.Pattern + " @owner # comment\n" + tc.Pattern + "\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("CODEOWNERS", data)
		if c == nil {
			t.Fatal("Parse returned a nil *File")
		}
		var list ProblemList
		switch {
		case err == nil && len(c.Problems) > 0:
			t.Fatalf("no error but %d problems", len(c.Problems))
		case err != nil && !errors.As(err, &list):
			t.Fatalf("error %T is not a ProblemList", err)
		case err != nil && !errors.Is(err, ErrInvalid):
			t.Fatalf("error does not wrap ErrInvalid")
		}
		if diff := cmp.Diff(c.Problems, list); err != nil && diff != "" {
			t.Fatalf("Problems differ from the error (-field +error):\n%s", diff)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, p := range c.Problems {
			if p.Line < 1 || p.Line > lines || p.Column < 1 || p.Msg == "" {
				t.Errorf("problem %v outside the file's %d lines or without a message", p, lines)
			}
		}
		prev := 0
		for _, r := range c.Rules() {
			if r.Line <= prev || r.Line > lines {
				t.Errorf("rule line %d after %d in a %d-line file", r.Line, prev, lines)
			}
			prev = r.Line
			for _, o := range r.Owners {
				if OwnerKind(o) == "" {
					t.Errorf("rule line %d kept invalid owner %q", r.Line, o)
				}
			}
			c.Owners(r.Pattern)
		}
	})
}

func FuzzMatch(f *testing.F) {
	for _, tc := range loadPatternCases(f) {
		for _, p := range append(tc.Match, tc.NoMatch...) {
			f.Add(tc.Pattern+" @a\n", p)
		}
	}
	seedCodeowners(f, func(data []byte) {
		for _, p := range []string{"apps/github/secure/x", "docs/a.md", "a/b/c.js", "build/logs/x"} {
			f.Add(string(data), p)
		}
	})
	f.Fuzz(func(t *testing.T, codeowners, path string) {
		if len(codeowners) > 1<<11 || len(path) > 1<<8 {
			return
		}
		c, _ := Parse("CODEOWNERS", []byte(codeowners))
		if got, want := indexedRule(c, path), referenceRule(c, path); got != want {
			t.Fatalf("path %q: indexed rule %d (%s), reference rule %d (%s)", path, got, ruleText(c, got), want, ruleText(c, want))
		}
		if !utf8.ValidString(path) {
			return
		}
		// The regexp oracle is slow: check the last few rules only, so
		// each run stays fast enough to fuzz and minimize.
		rules := c.Rules()
		for i := max(0, len(rules)-16); i < len(rules); i++ {
			r := rules[i]
			if !utf8.ValidString(r.Pattern) {
				continue
			}
			re, ok := oracleRegexp(r.Pattern)
			if !ok {
				continue
			}
			if got, want := c.patterns[i].Match(path), oracleMatch(re, path); got != want {
				t.Errorf("%q.Match(%q) = %v, oracle %v (regexp %s)", r.Pattern, path, got, want, re)
			}
		}
	})
}
