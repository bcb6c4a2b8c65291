package codeowners

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// maxSize is GitHub's limit: a larger CODEOWNERS file is not
// loaded at all.
const maxSize = 3 << 20

// Parse parses a CODEOWNERS file. It always returns a usable
// *File (invalid lines are skipped, as GitHub does) and, when some
// lines are invalid, a [ProblemList] naming each.
//
// A line is a pattern (see [Pattern]) followed by owners, each `@user`,
// `@org/team` or an email address; a token starting with `#` begins a
// comment. A line with a pattern and no owners clears ownership of what it
// matches. A line with any invalid owner or a bad pattern is skipped
// entirely. A file larger than 3 MiB is ignored, as GitHub ignores it.
func Parse(file string, data []byte) (*File, error) {
	c := &File{Path: file}
	if len(data) > maxSize {
		c.problem(1, 1, "file is larger than 3 MiB; GitHub ignores it, so nothing is owned")
		c.index = buildIndex(nil)
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
	c.index = buildIndex(c.patterns)
	if len(c.Problems) == 0 {
		return c, nil
	}
	return c, c.Problems
}

// parseLine adds the line's rule or its problems.
func (c *File) parseLine(lineNo int, line string) {
	toks := splitFields(line)
	if len(toks) == 0 || strings.HasPrefix(toks[0].text, "#") {
		return
	}
	pat := toks[0]
	ok := true
	p, err := CompilePattern(pat.text)
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
	c.rules = append(c.rules, Rule{Line: lineNo, Pattern: pat.text, Owners: owners})
	c.patterns = append(c.patterns, p)
}

func (c *File) problem(line, col int, msg string) {
	c.Problems = append(c.Problems, Problem{File: c.Path, Line: line, Column: col, Msg: msg})
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
