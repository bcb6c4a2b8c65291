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
	toks   []globToken
}

func (r rawSegment) empty() bool { return len(r.toks) == 0 }

// compile classifies the segment. Only an unescaped `**` standing alone is
// the directory wildcard; other runs of `*` are one `*`, as in gitignore.
func (r rawSegment) compile() segment {
	switch {
	case r.text == "**":
		return segment{kind: segDoubleStar}
	case len(r.toks) == 1 && r.toks[0].kind == tokStar:
		return segment{kind: segStar}
	case len(r.toks) == 1 && r.toks[0].kind == tokLit:
		return segment{kind: segLiteral, lit: r.toks[0].lit}
	}
	return segment{kind: segGlob, toks: r.toks}
}

// splitSegments splits the pattern on unescaped `/` and tokenizes each
// segment, resolving `\` escapes. The first segment is empty when the
// pattern starts with `/`, the last when it ends with one.
func splitSegments(pattern string) ([]rawSegment, error) {
	var (
		segs  []rawSegment
		cur   = rawSegment{offset: 0}
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
			cur = rawSegment{offset: start}
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
