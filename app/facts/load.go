package facts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// maxConfigFile bounds the policy and CODEOWNERS files read (GitHub's own
// CODEOWNERS limit is 3 MB).
const maxConfigFile = 3 << 20

// BaseRef is the ref the policy and CODEOWNERS are read at: the base
// branch, fully qualified. A bare name is ambiguous: git, and GitHub's ref
// parameters with it, resolve "main" to refs/tags/main before
// refs/heads/main, so anyone who can push a tag named like the base branch
// would choose the policy their pull request is judged by. The branch,
// not the pull request's base.sha, so that a policy tightened on the base
// branch applies to every open pull request at once (base.sha can lag
// behind the branch).
func BaseRef(branch string) string { return "refs/heads/" + branch }

// loadPolicy reads and parses the first policy file on the base branch, at
// ref: [BaseRef], or the branch's head commit SHA. It returns the memory
// the parsed file holds (parsedSize). A parse failure is not an error of Gather: it is the gate's answer.
func (g *Gatherer) loadPolicy(ctx context.Context, gh *github.Client, owner, repo, ref string, res *Result) (int, error) {
	res.PolicyFile = PolicyPaths[0]
	path, data, err := readFirst(ctx, gh, owner, repo, ref, PolicyPaths)
	switch {
	case errors.Is(err, errNotFound):
		res.PolicyErr = fmt.Errorf("%w (%s): tried %v", ErrNoPolicy, res.BaseRef, PolicyPaths)
		return 0, nil
	case errors.Is(err, errUnusable):
		res.PolicyFile = path
		res.PolicyErr = err
		return 0, nil
	case err != nil:
		return 0, err
	}
	res.PolicyFile = path
	sum := sha256.Sum256(data)
	res.PolicyDigest = hex.EncodeToString(sum[:])
	p, err := policy.Parse(path, data)
	if err != nil {
		res.PolicyErr = err
		return parsedSize(data), nil
	}
	res.Policy = p
	return parsedSize(data), nil
}

// loadCodeowners reads the first CODEOWNERS of the base branch at ref
// (as loadPolicy) and returns the memory the parsed file holds. Invalid lines are skipped
// (as GitHub does) and stay visible in the parsed file's Problems; an unreadable
// file fails the gather.
func (g *Gatherer) loadCodeowners(ctx context.Context, gh *github.Client, owner, repo, ref string, res *Result) (int, error) {
	path, data, err := readFirst(ctx, gh, owner, repo, ref, codeowners.Locations)
	switch {
	case errors.Is(err, errNotFound):
		return 0, nil
	case errors.Is(err, errUnusable):
		res.Facts.Unavailable = append(res.Facts.Unavailable, err.Error())
		return 0, nil
	case err != nil:
		return 0, err
	}
	co, _ := codeowners.Parse(path, data) // always usable; problems kept inside
	res.CodeownersFile = path
	cs := sha256.Sum256(data)
	res.CodeownersDigest = hex.EncodeToString(cs[:])
	res.Facts.Codeowners = co
	return parsedSize(data), nil
}

var (
	errNotFound = errors.New("not found")
	// errUnusable marks a file that exists but cannot be used (too big,
	// a directory, not base64): fail closed, do not retry.
	errUnusable = errors.New("unusable file")
)

// readFirst returns the first of paths that exists at ref.
func readFirst(ctx context.Context, gh *github.Client, owner, repo, ref string, paths []string) (string, []byte, error) {
	for _, p := range paths {
		data, err := readFile(ctx, gh, owner, repo, ref, p)
		if errors.Is(err, errNotFound) {
			continue
		}
		return p, data, err
	}
	return "", nil, errNotFound
}

// readFile reads one file at ref through the contents API.
func readFile(ctx context.Context, gh *github.Client, owner, repo, ref, path string) ([]byte, error) {
	fc, _, resp, err := gh.Repositories.GetContents(ctx, owner, repo, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return nil, errNotFound
		}
		return nil, fmt.Errorf("read %s at %s in %s/%s: %w", path, ref, owner, repo, err)
	}
	if fc == nil {
		return nil, fmt.Errorf("%w: %s at %s is a directory", errUnusable, path, ref)
	}
	if fc.GetSize() > maxConfigFile {
		return nil, fmt.Errorf("%w: %s at %s is %s, more than the %s allowed", errUnusable, path, ref, policy.FormatSize(int64(fc.GetSize())), policy.FormatSize(maxConfigFile))
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, fmt.Errorf("%w: %s at %s: %w", errUnusable, path, ref, err)
	}
	if s == "" && fc.GetSize() > 0 {
		return nil, fmt.Errorf("%w: %s at %s: GitHub returned no content for %d bytes", errUnusable, path, ref, fc.GetSize())
	}
	return []byte(s), nil
}
