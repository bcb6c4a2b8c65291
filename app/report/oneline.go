package report

import "strings"

// MaxStatusDescription is GitHub's limit on a commit status description,
// in characters.
const MaxStatusDescription = 140

// OneLine makes s one line (each run of white space one space) of at most
// n characters (runes, so a multi-byte character is never split), ending
// in "…" when cut. Commit status descriptions go through it.
func OneLine(s string, n int) string {
	return truncateLine(strings.Join(strings.Fields(s), " "), n)
}
