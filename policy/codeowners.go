package policy

// TEMPORARY CONTRACT STUB: the CODEOWNERS helper replaces this file.

// Codeowners is a parsed CODEOWNERS file, indexed for fast matching.
type Codeowners struct {
	// File is the path the file was read from.
	File string
	// Problems are the invalid lines, skipped when matching.
	Problems ProblemList
}

// CodeownersPaths are the locations GitHub reads CODEOWNERS from, in order.
var CodeownersPaths = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// ParseCodeowners parses a CODEOWNERS file. It always returns a usable
// *Codeowners (invalid lines are skipped, as GitHub does) and, when some
// lines are invalid, a [ProblemList] naming each.
func ParseCodeowners(file string, data []byte) (*Codeowners, error) {
	panic("unimplemented")
}

// Owners returns the owners of path per the last matching rule, and that
// rule's 1-based line; nil and 0 when no rule matches or the rule has no
// owners.
func (c *Codeowners) Owners(path string) (owners []string, line int) {
	panic("unimplemented")
}

// PathPattern is a compiled gitignore-style pattern as CODEOWNERS and
// `if.paths` use it.
type PathPattern struct{}

// CompilePathPattern compiles a gitignore-style pattern with GitHub's
// CODEOWNERS semantics.
func CompilePathPattern(pattern string) (*PathPattern, error) {
	panic("unimplemented")
}

// Match reports whether the repository-relative path (no leading slash)
// matches.
func (p *PathPattern) Match(path string) bool {
	panic("unimplemented")
}
