package policy

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Codeowners is a parsed CODEOWNERS file, indexed for fast matching. It is
// immutable after [ParseCodeowners] and safe for concurrent use.
type Codeowners struct {
	// File is the path the file was read from.
	File string
	// Problems are the invalid lines, skipped when matching.
	Problems ProblemList

	rules    []CodeownersRule
	patterns []*PathPattern // patterns[i] is rules[i]'s
	index    codeownersIndex
}

// CodeownersRule is one valid line of a CODEOWNERS file.
type CodeownersRule struct {
	// Line is the 1-based line number.
	Line int
	// Pattern is the pattern as written, escapes included.
	Pattern string
	// Owners are the line's owners in order, duplicates dropped; nil for a
	// line that clears ownership.
	Owners []string
}

// CodeownersPaths are the locations GitHub reads CODEOWNERS from, in order.
var CodeownersPaths = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// maxCodeownersSize is GitHub's limit: a larger CODEOWNERS file is not
// loaded at all.
const maxCodeownersSize = 3 << 20

// ParseCodeowners parses a CODEOWNERS file. It always returns a usable
// *Codeowners (invalid lines are skipped, as GitHub does) and, when some
// lines are invalid, a [ProblemList] naming each.
//
// A line is a pattern (see [PathPattern]) followed by owners, each `@user`,
// `@org/team` or an email address; a token starting with `#` begins a
// comment. A line with a pattern and no owners clears ownership of what it
// matches. A line with any invalid owner or a bad pattern is skipped
// entirely. A file larger than 3 MiB is ignored, as GitHub ignores it.
func ParseCodeowners(file string, data []byte) (*Codeowners, error) {
	c := &Codeowners{File: file}
	if len(data) > maxCodeownersSize {
		c.problem(1, 1, "file is larger than 3 MiB; GitHub ignores it, so nothing is owned")
		c.index = buildCodeownersIndex(nil)
		return c, c.Problems
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		c.parseLine(lineNo, string(bytes.TrimSuffix(line, []byte("\r"))))
	}
	c.index = buildCodeownersIndex(c.patterns)
	if len(c.Problems) == 0 {
		return c, nil
	}
	return c, c.Problems
}

// parseLine adds the line's rule or its problems.
func (c *Codeowners) parseLine(lineNo int, line string) {
	toks := splitFields(line)
	if len(toks) == 0 || strings.HasPrefix(toks[0].text, "#") {
		return
	}
	pat := toks[0]
	ok := true
	p, err := CompilePathPattern(pat.text)
	if err != nil {
		ok = false
		col := pat.col
		var pe *PatternError
		msg := err.Error()
		if errors.As(err, &pe) {
			col += pe.Offset
			msg = fmt.Sprintf("pattern %q: %s", pat.text, pe.Msg)
		}
		c.problem(lineNo, col, msg)
	}
	var owners []string
	var seen map[string]bool // past a few owners, so a huge line stays linear
	for _, t := range toks[1:] {
		if strings.HasPrefix(t.text, "#") {
			break
		}
		if reason := checkOwner(t.text); reason != "" {
			ok = false
			c.problem(lineNo, t.col, fmt.Sprintf("invalid owner %q: %s", t.text, reason))
			continue
		}
		switch {
		case seen != nil:
			if seen[t.text] {
				continue
			}
			seen[t.text] = true
		case slices.Contains(owners, t.text):
			continue
		case len(owners) == 8:
			seen = make(map[string]bool)
			for _, o := range owners {
				seen[o] = true
			}
			seen[t.text] = true
		}
		owners = append(owners, t.text)
	}
	if !ok {
		return
	}
	c.rules = append(c.rules, CodeownersRule{Line: lineNo, Pattern: pat.text, Owners: owners})
	c.patterns = append(c.patterns, p)
}

func (c *Codeowners) problem(line, col int, msg string) {
	c.Problems = append(c.Problems, Problem{File: c.File, Line: line, Column: col, Msg: msg})
}

// field is one whitespace-separated token of a line and its 1-based byte
// column.
type field struct {
	text string
	col  int
}

// splitFields splits a line on unescaped spaces and tabs; `\ ` stays part
// of its token (the pattern compiler resolves it).
func splitFields(line string) []field {
	var out []field
	start := -1
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case ' ', '\t':
			if start >= 0 {
				out = append(out, field{text: line[start:i], col: start + 1})
				start = -1
			}
		case '\\':
			if start < 0 {
				start = i
			}
			i++ // the escaped byte never splits
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, field{text: line[start:], col: start + 1})
	}
	return out
}

// Rules returns the valid rules in file order. The caller must not modify
// them.
func (c *Codeowners) Rules() []CodeownersRule {
	if c == nil {
		return nil
	}
	return c.rules
}

// Rule returns the last rule matching path (GitHub's "last match wins"),
// including a rule without owners that clears ownership; false when no
// rule matches.
func (c *Codeowners) Rule(path string) (CodeownersRule, bool) {
	if c == nil {
		return CodeownersRule{}, false
	}
	var buf [32]string
	i := c.index.lookup(c.patterns, appendComponents(buf[:0], path))
	if i < 0 {
		return CodeownersRule{}, false
	}
	return c.rules[i], true
}

// Owners returns the owners of path per the last matching rule, and that
// rule's 1-based line; nil and 0 when no rule matches or the rule has no
// owners (use [Codeowners.Rule] to see a clearing rule). The slice is the
// caller's to keep.
func (c *Codeowners) Owners(path string) (owners []string, line int) {
	r, ok := c.Rule(path)
	if !ok || len(r.Owners) == 0 {
		return nil, 0
	}
	return slices.Clone(r.Owners), r.Line
}

// OwnersOf returns every owner of any of paths, sorted and without
// duplicates; nil when none is owned.
func (c *Codeowners) OwnersOf(paths []string) []string {
	var out []string
	for _, p := range paths {
		r, ok := c.Rule(p)
		if ok {
			out = append(out, r.Owners...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
