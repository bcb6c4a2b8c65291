package main

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// errPathEscapes is wrapped by repoPath for a path outside the repository.
var errPathEscapes = errors.New("escapes the repository")

// repoPath turns a path as a shell user writes it (./services/x,
// a//b, a/../b) into the repository path CODEOWNERS rules match: a
// leading ./ must not change the answer. A path that leaves the
// repository (..), an absolute one and the root itself are refused. A
// trailing slash is kept: it is part of what was asked.
func repoPath(p string) (string, error) {
	if !needsCleaning(p) {
		return p, nil
	}
	if strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("%s: an absolute path: give it relative to the repository root", p)
	}
	c := path.Clean(p)
	switch {
	case c == ".." || strings.HasPrefix(c, "../"):
		return "", fmt.Errorf("%s: %w", p, errPathEscapes)
	case c == ".":
		return "", fmt.Errorf("%s: names no file, only the repository root", p)
	}
	if strings.HasSuffix(p, "/") {
		c += "/"
	}
	return c, nil
}

// needsCleaning reports whether p has a part path.Clean would change, or
// is absolute: most paths (git ls-files output) have none, and skip the
// allocation.
func needsCleaning(p string) bool {
	if p == "" || p[0] == '/' || p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
		return true
	}
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
}
