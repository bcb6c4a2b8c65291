package codeowners

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by every error that reports a bad CODEOWNERS file
// or pattern, so callers can branch with one errors.Is. Package policy
// reuses it for policy files, so one errors.Is covers both inputs.
var ErrInvalid = errors.New("invalid")

// Problem is one error in an input file, located by line and column.
type Problem struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	Msg    string
}

// String formats the problem as FILE:LINE:COL: message.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Msg)
}

// ProblemList is every problem found in one file. It is the error returned
// by [Parse] (and, through package policy's aliases, by policy.Parse); it
// wraps [ErrInvalid].
type ProblemList []Problem

// Error prints one problem per line.
func (l ProblemList) Error() string {
	lines := make([]string, len(l))
	for i, p := range l {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (l ProblemList) Unwrap() error { return ErrInvalid }
