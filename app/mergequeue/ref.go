package mergequeue

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// RefPrefix starts every merge group branch: GitHub names the branch of
// the group that ends with pull request N, queued at head SHA,
// "refs/heads/gh-readonly-queue/<base>/pr-<N>-<SHA>".
const RefPrefix = "refs/heads/gh-readonly-queue/"

// ErrNotQueueRef is wrapped by [ParseRef]'s errors.
var ErrNotQueueRef = errors.New("not a merge queue branch")

// Ref is a parsed merge group branch name.
type Ref struct {
	// Base is the branch the group merges into.
	Base string
	// PR is the pull request the group ends with.
	PR int
	// HeadSHA is the head of PR when it was queued.
	HeadSHA string
}

// String is the full ref name.
func (r Ref) String() string {
	return fmt.Sprintf("%s%s/pr-%d-%s", RefPrefix, r.Base, r.PR, r.HeadSHA)
}

// ParseRef parses a merge group branch name, with or without "refs/heads/".
// The base may contain slashes; the last segment is "pr-<N>-<SHA>" with
// a positive decimal N and a 40 (SHA-1) or 64 (SHA-256) hex digit SHA in
// lower case, as git prints them.
func ParseRef(name string) (Ref, error) {
	full := name
	if !strings.HasPrefix(full, "refs/") {
		full = "refs/heads/" + full
	}
	rest, ok := strings.CutPrefix(full, RefPrefix)
	if !ok {
		return Ref{}, fmt.Errorf("%q: %w: no %q prefix", name, ErrNotQueueRef, RefPrefix)
	}
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 {
		return Ref{}, fmt.Errorf("%q: %w: no base branch", name, ErrNotQueueRef)
	}
	base, last := rest[:i], rest[i+1:]
	if strings.HasPrefix(base, "/") || strings.HasSuffix(base, "/") || strings.Contains(base, "//") {
		return Ref{}, fmt.Errorf("%q: %w: bad base branch %q", name, ErrNotQueueRef, base)
	}
	tail, ok := strings.CutPrefix(last, "pr-")
	if !ok {
		return Ref{}, fmt.Errorf("%q: %w: last segment %q is not pr-<number>-<sha>", name, ErrNotQueueRef, last)
	}
	num, sha, ok := strings.Cut(tail, "-")
	if !ok {
		return Ref{}, fmt.Errorf("%q: %w: last segment %q is not pr-<number>-<sha>", name, ErrNotQueueRef, last)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || num[0] == '0' || num[0] == '+' {
		return Ref{}, fmt.Errorf("%q: %w: bad pull request number %q", name, ErrNotQueueRef, num)
	}
	if !isSHA(sha) {
		return Ref{}, fmt.Errorf("%q: %w: bad head SHA %q", name, ErrNotQueueRef, sha)
	}
	return Ref{Base: base, PR: n, HeadSHA: sha}, nil
}

// isSHA reports whether s is a full lower-case hex object id.
func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
