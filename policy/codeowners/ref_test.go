package codeowners

import (
	"regexp"
	"strings"
	"unicode/utf8"
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

// refSegment is a segment as referenceSplit returns it.
type refSegment struct {
	offset int
	text   string
	toks   []globToken
}

// referenceSplit is the tokenizer as it was before the compiler learnt to
// reuse scratch space and cut literals from the pattern: a builder for
// every literal, a slice for every segment. FuzzSplitSegments holds the
// two equal.
func referenceSplit(pattern string) ([]refSegment, error) {
	var (
		segs  []refSegment
		cur   = refSegment{offset: 0}
		lit   strings.Builder
		start = 0
	)
	flush := func() {
		if lit.Len() > 0 {
			cur.toks = append(cur.toks, globToken{kind: tokLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch c {
		case '\\':
			if i+1 == len(pattern) {
				return nil, &PatternError{Pattern: pattern, Offset: i, Msg: "pattern ends with a lone backslash"}
			}
			_, w := utf8.DecodeRuneInString(pattern[i+1:])
			lit.WriteString(pattern[i+1 : i+1+w])
			i += 1 + w
			continue
		case '/':
			flush()
			cur.text = pattern[start:i]
			segs = append(segs, cur)
			start = i + 1
			cur = refSegment{offset: start}
		case '*':
			flush()
			if n := len(cur.toks); n == 0 || cur.toks[n-1].kind != tokStar {
				cur.toks = append(cur.toks, globToken{kind: tokStar})
			}
		case '?':
			flush()
			cur.toks = append(cur.toks, globToken{kind: tokOne})
		case '[', ']':
			return nil, &PatternError{Pattern: pattern, Offset: i, Msg: "character ranges ([ ]) are not supported in CODEOWNERS patterns"}
		default:
			lit.WriteByte(c)
		}
		i++
	}
	flush()
	cur.text = pattern[start:]
	return append(segs, cur), nil
}
