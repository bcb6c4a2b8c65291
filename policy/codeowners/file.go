package codeowners

import "slices"

// File is a parsed CODEOWNERS file, indexed for fast matching. It is
// immutable after [Parse] and safe for concurrent use.
type File struct {
	// Path is the path the file was read from.
	Path string
	// Problems are the invalid lines, skipped when matching.
	Problems ProblemList

	rules    []Rule
	patterns []Pattern // patterns[i] is rules[i]'s
	index    ruleIndex
}

// Rule is one valid line of a CODEOWNERS file.
type Rule struct {
	// Line is the 1-based line number.
	Line int
	// Pattern is the pattern as written, escapes included.
	Pattern string
	// Owners are the line's owners in order, duplicates dropped; nil for a
	// line that clears ownership.
	Owners []string
}

// Locations are the paths GitHub reads CODEOWNERS from, in order.
var Locations = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// Rules returns the valid rules in file order. The caller must not modify
// them.
func (c *File) Rules() []Rule {
	if c == nil {
		return nil
	}
	return c.rules
}

// Rule returns the last rule matching path (GitHub's "last match wins"),
// including a rule without owners that clears ownership; false when no
// rule matches.
func (c *File) Rule(path string) (Rule, bool) {
	if c == nil {
		return Rule{}, false
	}
	var buf [32]string
	i := c.index.lookup(c.patterns, appendComponents(buf[:0], path))
	if i < 0 {
		return Rule{}, false
	}
	return c.rules[i], true
}

// Owners returns the owners of path per the last matching rule, and that
// rule's 1-based line; nil and 0 when no rule matches or the rule has no
// owners (use [File.Rule] to see a clearing rule). The slice is the
// caller's to keep.
func (c *File) Owners(path string) (owners []string, line int) {
	r, ok := c.Rule(path)
	if !ok || len(r.Owners) == 0 {
		return nil, 0
	}
	return slices.Clone(r.Owners), r.Line
}

// OwnersOf returns every owner of any of paths, sorted and without
// duplicates; nil when none is owned.
func (c *File) OwnersOf(paths []string) []string {
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
