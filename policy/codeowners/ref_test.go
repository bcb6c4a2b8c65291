package codeowners

import (
	"regexp"
	"strings"
)

// This file holds the slow, obviously-correct matchers the indexed matcher
// and Pattern are checked against.

// referenceRule is the linear "last match wins" scan GitHub describes:
// every rule is tried with Pattern.Match, from the last line up.
func referenceRule(c *File, path string) int {
	for i := len(c.patterns) - 1; i >= 0; i-- {
		if c.patterns[i].Match(path) {
			return i
		}
	}
	return -1
}

// indexedRule is the index's answer for path.
func indexedRule(c *File, path string) int {
	return c.index.lookup(c.patterns, appendComponents(nil, path))
}

// oracleRegexp translates a pattern without escapes or brackets into an
// anchored regexp over path+"/" straight from the rules in the
// Pattern doc comment, independently of CompilePattern. ok is false
// for patterns it does not handle.
func oracleRegexp(pattern string) (re *regexp.Regexp, ok bool) {
	if pattern == "" || strings.ContainsAny(pattern, `\[]!`) || strings.Contains(pattern, "//") {
		return nil, false
	}
	const comp = `[^/]+/`
	anchored := strings.HasPrefix(pattern, "/")
	p := strings.TrimPrefix(pattern, "/")
	dirOnly := strings.HasSuffix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil, false
	}
	if strings.Contains(p, "/") {
		anchored = true
	}
	if p == "**" {
		return regexp.MustCompile(`^(?:` + comp + `)+$`), true
	}
	if rest, cut := strings.CutSuffix(p, "/**"); cut {
		p, dirOnly = rest, true
	}
	if rest, cut := strings.CutPrefix(p, "**/"); cut {
		p, anchored = rest, false
	}
	if p == "**" {
		return regexp.MustCompile(`^(?:` + comp + `)+$`), true
	}
	var b strings.Builder
	b.WriteString("^")
	if !anchored {
		b.WriteString(`(?:` + comp + `)*`)
	}
	segs := strings.Split(p, "/")
	for _, s := range segs {
		if s == "**" {
			b.WriteString(`(?:` + comp + `)*`)
			continue
		}
		b.WriteString("(?:")
		for _, r := range s {
			switch r {
			case '*':
				b.WriteString(`[^/]*`)
			case '?':
				b.WriteString(`[^/]`)
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		b.WriteString(")/")
	}
	last := segs[len(segs)-1]
	switch {
	case dirOnly:
		b.WriteString(`(?:` + comp + `)+`)
	case strings.Trim(last, "*") == "" && last != "**":
		// A lone `*` (or run of them) last: whole path, no deeper.
	default:
		b.WriteString(`(?:` + comp + `)*`)
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()), true
}

// oracleMatch matches a clean path (no empty components) with the oracle.
func oracleMatch(re *regexp.Regexp, path string) bool {
	comps := appendComponents(nil, path)
	if len(comps) == 0 {
		return false
	}
	return re.MatchString(strings.Join(comps, "/") + "/")
}
