package facts

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// RuleFiles are the files that make a repository's rules: the policy
// file locations and GitHub's CODEOWNERS locations. A pull request
// changing any of them gets the `zgate/policy` check.
var RuleFiles = slices.Concat(PolicyPaths, codeowners.Locations)

// RuleVersion is one version of the rules: the policy and CODEOWNERS
// read at one commit.
type RuleVersion struct {
	// PolicyFile is the policy path read, the first of [PolicyPaths] when
	// there is none.
	PolicyFile string
	// Policy is nil when the file is missing or does not load.
	Policy *policy.Policy
	// PolicyErr says why Policy is nil: it wraps [ErrNoPolicy] when there
	// is no file, is a policy.ProblemList when the file does not parse,
	// and wraps an unusable-file error otherwise.
	PolicyErr error
	// CodeownersFile is the CODEOWNERS path read, "" when there is none.
	CodeownersFile string
	Codeowners     *codeowners.File
}

// PolicyChange is what a pull request changes of the rules: the base
// branch's version (what its gates use) and the head commit's.
type PolicyChange struct {
	// Changed are the rule files the pull request changes, or every
	// location when its file list is truncated (fail closed).
	Changed []string
	// ChangedUnknown is set when the file list is truncated: Changed are
	// then the files it may change.
	ChangedUnknown bool
	Base           RuleVersion
	Head           RuleVersion
	// CodeownersChanged tells whether a CODEOWNERS location is among
	// Changed; Files are then the paths of the repository at the head
	// commit, to compare ownership on.
	CodeownersChanged bool
	Files             []string
	// FilesIncomplete says why Files is not every path (GitHub truncated
	// the tree), "" when it is.
	FilesIncomplete string
}

// PolicyChange reads what the pull request res describes changes of the
// rules; nil when it changes none of [RuleFiles]. res is a [Gatherer.Gather]
// result: the base version is the one the gates were given (read again
// only for CODEOWNERS, which Gather skips when the base has no usable
// policy); the head version is read at the head commit, nothing else.
func (g *Gatherer) PolicyChange(ctx context.Context, gh *github.Client, owner, repo string, res *Result) (*PolicyChange, error) {
	files, truncated := res.Facts.PullRequest.ChangedFiles, res.Facts.PullRequest.ChangedFilesTruncated
	if res.Policy == nil {
		// Gather stopped before listing the files.
		var err error
		files, truncated, err = changedFiles(ctx, gh, g.Pulls, nil, owner, repo, res.PR.GetNumber(), res.HeadSHA, res.PR.GetChangedFiles())
		if err != nil {
			return nil, err
		}
		truncated = truncated || res.PR.GetChangedFiles() > maxChangedFiles
	}
	pc := &PolicyChange{ChangedUnknown: truncated}
	for _, f := range RuleFiles {
		if truncated || slices.Contains(files, f) {
			pc.Changed = append(pc.Changed, f)
		}
	}
	if len(pc.Changed) == 0 {
		return nil, nil
	}
	pc.Base = RuleVersion{PolicyFile: res.PolicyFile, Policy: res.Policy, PolicyErr: res.PolicyErr,
		CodeownersFile: res.CodeownersFile, Codeowners: res.Facts.Codeowners}
	if res.Policy == nil {
		var err error
		if pc.Base.CodeownersFile, pc.Base.Codeowners, err = readCodeowners(ctx, gh, owner, repo, BaseRef(res.BaseRef)); err != nil {
			return nil, err
		}
	}
	var err error
	if pc.Head, err = readRules(ctx, gh, owner, repo, res.HeadSHA); err != nil {
		return nil, err
	}
	for _, f := range codeowners.Locations {
		pc.CodeownersChanged = pc.CodeownersChanged || slices.Contains(pc.Changed, f)
	}
	if pc.CodeownersChanged {
		if pc.Files, pc.FilesIncomplete, err = treeFiles(ctx, gh, owner, repo, res.HeadSHA); err != nil {
			return nil, err
		}
	}
	return pc, nil
}

// readRules reads and parses the policy and CODEOWNERS at ref.
func readRules(ctx context.Context, gh *github.Client, owner, repo, ref string) (RuleVersion, error) {
	v := RuleVersion{PolicyFile: PolicyPaths[0]}
	path, data, err := readFirst(ctx, gh, owner, repo, ref, PolicyPaths)
	switch {
	case errors.Is(err, errNotFound):
		v.PolicyErr = fmt.Errorf("%w at %s: tried %v", ErrNoPolicy, ref, PolicyPaths)
	case errors.Is(err, errUnusable):
		v.PolicyFile, v.PolicyErr = path, err
	case err != nil:
		return v, err
	default:
		v.PolicyFile = path
		v.Policy, v.PolicyErr = policy.Parse(path, data)
	}
	v.CodeownersFile, v.Codeowners, err = readCodeowners(ctx, gh, owner, repo, ref)
	return v, err
}

// readCodeowners reads and parses the first CODEOWNERS at ref; "" and nil
// when there is none. An unusable file (too large) owns nothing, as on
// GitHub.
func readCodeowners(ctx context.Context, gh *github.Client, owner, repo, ref string) (string, *codeowners.File, error) {
	path, data, err := readFirst(ctx, gh, owner, repo, ref, codeowners.Locations)
	switch {
	case errors.Is(err, errNotFound):
		return "", nil, nil
	case errors.Is(err, errUnusable):
		co, _ := codeowners.Parse(path, nil)
		co.Problems = append(co.Problems, policy.Problem{File: path, Line: 1, Column: 1, Msg: err.Error()})
		return path, co, nil
	case err != nil:
		return "", nil, err
	}
	co, _ := codeowners.Parse(path, data) // always usable; problems kept inside
	return path, co, nil
}

// treeFiles lists every file of the repository at sha from its recursive
// tree; incomplete says why the list is not whole (GitHub truncates past
// 100,000 entries or 7 MB).
func treeFiles(ctx context.Context, gh *github.Client, owner, repo, sha string) (files []string, incomplete string, err error) {
	tree, _, err := gh.Git.GetTree(ctx, owner, repo, sha, true)
	if err != nil {
		return nil, "", fmt.Errorf("read the file tree of %s/%s@%s: %w", owner, repo, sha, err)
	}
	for _, e := range tree.Entries {
		if e.GetType() == "blob" {
			files = append(files, e.GetPath())
		}
	}
	if tree.GetTruncated() {
		incomplete = fmt.Sprintf("GitHub truncated the file list of %s (%d files listed)", sha, len(files))
	}
	return files, incomplete, nil
}

// TouchesRules reports whether the pull request res describes may change
// one of [RuleFiles] (also when its file list is truncated): then
// PolicyChange has something to say.
func TouchesRules(res *Result) bool {
	pr := res.Facts.PullRequest
	if pr.ChangedFilesTruncated {
		return true
	}
	for _, f := range RuleFiles {
		if slices.Contains(pr.ChangedFiles, f) {
			return true
		}
	}
	return false
}
