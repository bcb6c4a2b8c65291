package codeowners

import (
	"strings"
	"unicode/utf8"
)

// segKind is what one `/`-separated segment of a pattern matches.
type segKind uint8

const (
	segLiteral    segKind = iota // one component equal to lit
	segStar                      // `*`: any one component
	segGlob                      // one component matching toks
	segDoubleStar                // `**`: zero or more components
)

// segment is one compiled `/`-separated part of a pattern.
type segment struct {
	kind segKind
	lit  string
	toks []globToken
}

// tokKind is one element of a glob segment.
type tokKind uint8

const (
	tokLit  tokKind = iota // the literal text lit
	tokStar                // `*`: any run of characters, possibly empty
	tokOne                 // `?`: exactly one character
)

// globToken is one element of a glob segment; escapes are already resolved
// in lit.
type globToken struct {
	kind tokKind
	lit  string
}

// matchComponent reports whether the non-empty path component c matches
// the segment. It must not be called on a `**` segment.
func (s *segment) matchComponent(c string) bool {
	switch s.kind {
	case segLiteral:
		return c == s.lit
	case segStar:
		return true
	case segGlob:
		return globMatch(s.toks, c)
	}
	return false
}

// globMatch reports whether s matches the glob tokens as a whole, with the
// greedy last-star backtracking that is exact for `*` and `?` globs.
func globMatch(toks []globToken, s string) bool {
	if len(toks) == 2 {
		// The common `*.ext` and `name*` need no backtracking.
		switch {
		case toks[0].kind == tokStar && toks[1].kind == tokLit:
			return strings.HasSuffix(s, toks[1].lit)
		case toks[0].kind == tokLit && toks[1].kind == tokStar:
			return strings.HasPrefix(s, toks[0].lit)
		}
	}
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				starT, starS = ti, si
				ti++
				continue
			case tokOne:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			case tokLit:
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		ti, si = starT+1, starS
	}
}

// rawSegment is a segment as split from the pattern, before compiling.
type rawSegment struct {
	offset int // byte offset of the segment in the pattern
	text   string
	// toks are the segment's tokens: compiler.toks[tok0:tok1].
	tok0, tok1 int
}

func (r rawSegment) empty() bool { return r.tok0 == r.tok1 }

// compileSegment classifies the segment. Only an unescaped `**` standing
// alone is the directory wildcard; other runs of `*` are one `*`, as in
// gitignore.
func (c *compiler) compileSegment(r rawSegment) segment {
	toks := c.toks[r.tok0:r.tok1]
	switch {
	case r.text == "**":
		return segment{kind: segDoubleStar}
	case len(toks) == 1 && toks[0].kind == tokStar:
		return segment{kind: segStar}
	case len(toks) == 1 && toks[0].kind == tokLit:
		return segment{kind: segLiteral, lit: toks[0].lit}
	}
	kept := c.keptToks.carve(len(toks))
	copy(kept, toks)
	return segment{kind: segGlob, toks: kept}
}

// splitSegments splits the pattern on unescaped `/` into c.raws and
// tokenizes each segment into c.toks, resolving `\` escapes. The first
// segment is empty when the pattern starts with `/`, the last when it ends
// with one. A literal without escapes is a substring of the pattern; only
// an escaped one is built.
func (c *compiler) splitSegments(pattern string) error {
	c.raws, c.toks = c.raws[:0], c.toks[:0]
	c.lit.Reset()
	var (
		start   = 0  // the current segment's first byte
		tok0    = 0  // its first token
		litFrom = -1 // the current unescaped literal's first byte
		escaped = false
	)
	// flush ends the current literal, if any, at byte end.
	flush := func(end int) {
		switch {
		case escaped:
			c.toks = append(c.toks, globToken{kind: tokLit, lit: c.lit.String()})
			c.lit.Reset()
			escaped = false
		case litFrom >= 0:
			c.toks = append(c.toks, globToken{kind: tokLit, lit: pattern[litFrom:end]})
		}
		litFrom = -1
	}
	for i := 0; i < len(pattern); {
		ch := pattern[i]
		switch ch {
		case '\\':
			if i+1 == len(pattern) {
				return &PatternError{Pattern: pattern, Offset: i, Msg: "pattern ends with a lone backslash"}
			}
			if !escaped {
				// From here on the literal is built, starting with what
				// came before the backslash.
				if litFrom >= 0 {
					c.lit.WriteString(pattern[litFrom:i])
				}
				escaped, litFrom = true, -1
			}
			_, w := utf8.DecodeRuneInString(pattern[i+1:])
			c.lit.WriteString(pattern[i+1 : i+1+w])
			i += 1 + w
			continue
		case '/':
			flush(i)
			c.raws = append(c.raws, rawSegment{offset: start, text: pattern[start:i], tok0: tok0, tok1: len(c.toks)})
			start, tok0 = i+1, len(c.toks)
		case '*':
			flush(i)
			if n := len(c.toks); n == tok0 || c.toks[n-1].kind != tokStar {
				c.toks = append(c.toks, globToken{kind: tokStar})
			}
		case '?':
			flush(i)
			c.toks = append(c.toks, globToken{kind: tokOne})
		case '[', ']':
			return &PatternError{Pattern: pattern, Offset: i, Msg: "character ranges ([ ]) are not supported in CODEOWNERS patterns"}
		default:
			switch {
			case escaped:
				c.lit.WriteByte(ch)
			case litFrom < 0:
				litFrom = i
			}
		}
		i++
	}
	flush(len(pattern))
	c.raws = append(c.raws, rawSegment{offset: start, text: pattern[start:], tok0: tok0, tok1: len(c.toks)})
	return nil
}
