package policy

import "github.com/zgate-dev/zgate/policy/codeowners"

// ErrInvalid is wrapped by every error that reports a bad policy or
// CODEOWNERS file, so callers can branch with one errors.Is. It is
// [codeowners.ErrInvalid], so that one check covers both inputs.
var ErrInvalid = codeowners.ErrInvalid

// Problem is one error in an input file, located by line and column. The
// policy and CODEOWNERS parsers share the type, so callers print and
// compare their problems alike.
type Problem = codeowners.Problem

// ProblemList is every problem found in one file. It is the error returned
// by [Parse] and [codeowners.Parse]; it wraps [ErrInvalid].
type ProblemList = codeowners.ProblemList
