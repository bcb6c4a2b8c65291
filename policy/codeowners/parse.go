package codeowners

import (
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
	// One copy of the file: every pattern and owner is a substring of it,
	// not an allocation of its own.
	text := strings.TrimPrefix(string(data), "\uFEFF")
	n := ruleLines(text)
	c.rules = make([]Rule, 0, n)
	c.patterns = make([]Pattern, 0, n)
	p := parser{
		f:          c,
		comp:       compiler{keptSegs: slab[segment]{grow: true}, keptToks: slab[globToken]{grow: true}},
		keptOwners: slab[string]{grow: true},
	}
	for lineNo := 1; len(text) > 0; lineNo++ {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		p.line(lineNo, strings.TrimSuffix(line, "\r"))
	}
	c.index = buildIndex(c.patterns)
	if len(c.Problems) == 0 {
		return c, nil
	}
	return c, c.Problems
}

// ruleLines counts the lines that may hold a rule (neither blank nor a
// comment), to size the rules once. Counting every line would let a file
// of 3 MiB of newlines reserve hundreds of megabytes for nothing.
func ruleLines(text string) int {
	n := 0
	for text != "" {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		line = strings.TrimLeft(line, " \t\r")
		if line != "" && line[0] != '#' {
			n++
		}
	}
	return n
}

// parser is the state of one [Parse]: the file being filled and scratch
// space reused from line to line.
type parser struct {
	f          *File
	comp       compiler
	fields     []field
	owners     []string
	keptOwners slab[string] // the rules' owner lists are carved from it
}

// line adds the line's rule or its problems.
func (p *parser) line(lineNo int, line string) {
	p.fields = splitFields(p.fields[:0], line)
	toks := p.fields
	if len(toks) == 0 || strings.HasPrefix(toks[0].text, "#") {
		return
	}
	c := p.f
	pat := toks[0]
	ok := true
	compiled, err := p.comp.compile(pat.text)
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
	owners := p.owners[:0]
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
	p.owners = owners
	if !ok {
		return
	}
	// nil for a clearing line, as [Rule] documents.
	kept := p.keptOwners.carve(len(owners))
	copy(kept, owners)
	c.rules = append(c.rules, Rule{Line: lineNo, Pattern: pat.text, Owners: kept})
	c.patterns = append(c.patterns, compiled)
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

// splitFields appends to out the fields of a line split on unescaped
// spaces and tabs; `\ ` stays part of its token (the pattern compiler
// resolves it).
func splitFields(out []field, line string) []field {
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
