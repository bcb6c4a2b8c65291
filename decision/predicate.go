package decision

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// PredicateType is the in-toto predicate type of a signed gate decision.
const PredicateType = "https://zgate.dev/gate-decision/v1"

// Predicate is what a gate decided, and on what: the facts a person needs
// to check the decision without GitHub.
type Predicate struct {
	// Repository is "owner/repo".
	Repository  string `json:"repository"`
	PullRequest int    `json:"pull_request"`
	Base        Base   `json:"base"`
	HeadSHA     string `json:"head_sha"`
	// MergeCommitSHA is the commit the merge made; empty for other actions.
	MergeCommitSHA string `json:"merge_commit_sha,omitempty"`
	Gate           string `json:"gate"`
	// Action is the gate's Z: merge, dispatch or repository_dispatch.
	Action string `json:"action"`
	// Policy and Codeowners are the files the decision was made under, read
	// at Base.SHA; Codeowners is nil when the base has none.
	Policy     File  `json:"policy"`
	Codeowners *File `json:"codeowners,omitempty"`
	// Controls are the controls that held, each with what made it hold.
	Controls []Control `json:"controls"`
	// Quorum is the number of distinct controls the gate needed (0: all).
	Quorum int `json:"quorum"`
	// Window is how old a counted control could be, as a Go duration.
	Window string `json:"window"`
	// DecidedAt is zgate's clock when the gate was evaluated open.
	DecidedAt time.Time `json:"decided_at"`
	// Override is the break-glass override that opened the gate, if any.
	Override *Override `json:"override,omitempty"`
	// ZgateVersion is the version of zgate that decided.
	ZgateVersion string `json:"zgate_version"`
}

// Base is the base branch and the commit its configuration was read at.
type Base struct {
	Ref string `json:"ref"`
	SHA string `json:"sha"`
}

// File names a file by path and the hex SHA-256 of its bytes.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Control is one control that held.
type Control struct {
	// ID is "@org/team", "@user", the attestation control's name or
	// "decision:owner/repo/gate".
	ID string `json:"id"`
	// Kind is "team", "attestation" or "decision".
	Kind string `json:"kind"`
	// Commit is the commit the review or attestation was about.
	Commit string `json:"commit"`
	// Approver, ReviewID and SubmittedAt are set for team controls.
	Approver    string     `json:"approver,omitempty"`
	ReviewID    int64      `json:"review_id,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	// Digest ("sha256:<hex>" of the bundle), Issuer, Identity and SignedAt
	// are set for attestation controls; Digest and SignedAt (the earlier
	// of its decision and signing times) for decision controls.
	Digest   string     `json:"digest,omitempty"`
	Issuer   string     `json:"issuer,omitempty"`
	Identity string     `json:"identity,omitempty"`
	SignedAt *time.Time `json:"signed_at,omitempty"`
}

// Override says who opened the gate by override, and why.
type Override struct {
	By      []string `json:"by"`
	Reasons []string `json:"reasons"`
}

// maxPredicate bounds what Decode reads: a decision with thousands of
// controls is still far below it.
const maxPredicate = 1 << 20

// ErrInvalid is wrapped by every error of [Decode].
var ErrInvalid = errors.New("invalid gate decision")

// Decode parses a gate decision predicate strictly: unknown fields,
// trailing data, missing required fields or malformed commits are errors,
// since a verifier must not guess at what was signed.
func Decode(data []byte) (Predicate, error) {
	var p Predicate
	if len(data) > maxPredicate {
		return p, fmt.Errorf("%w: predicate of %d bytes exceeds %d", ErrInvalid, len(data), maxPredicate)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Predicate{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Predicate{}, fmt.Errorf("%w: data after the predicate", ErrInvalid)
	}
	if err := p.Validate(); err != nil {
		return Predicate{}, err
	}
	return p, nil
}

// Validate checks the fields every decision has.
func (p *Predicate) Validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if o, r, ok := strings.Cut(p.Repository, "/"); !ok || o == "" || r == "" || strings.ContainsAny(r, "/@ ") {
		bad("repository %q is not owner/repo", p.Repository)
	}
	if p.PullRequest <= 0 {
		bad("pull_request %d is not a pull request number", p.PullRequest)
	}
	if p.Base.Ref == "" {
		bad("base.ref is empty")
	}
	if p.Base.SHA != "" && !isSHA(p.Base.SHA) {
		bad("base.sha %q is not a commit id", p.Base.SHA)
	}
	if !isSHA(p.HeadSHA) {
		bad("head_sha %q is not a commit id", p.HeadSHA)
	}
	if p.MergeCommitSHA != "" && !isSHA(p.MergeCommitSHA) {
		bad("merge_commit_sha %q is not a commit id", p.MergeCommitSHA)
	}
	if p.Gate == "" {
		bad("gate is empty")
	}
	if p.Action == "" {
		bad("action is empty")
	}
	if p.Policy.Path == "" || !isHex(p.Policy.SHA256, 64) {
		bad("policy must have a path and a sha256")
	}
	if p.Codeowners != nil && (p.Codeowners.Path == "" || !isHex(p.Codeowners.SHA256, 64)) {
		bad("codeowners must have a path and a sha256")
	}
	if p.Quorum < 0 {
		bad("quorum %d is negative", p.Quorum)
	}
	if d, err := time.ParseDuration(p.Window); err != nil || d <= 0 {
		bad("window %q is not a positive duration", p.Window)
	}
	if p.DecidedAt.IsZero() {
		bad("decided_at is missing")
	}
	if len(p.Controls) == 0 && p.Override == nil {
		bad("no control held and no override")
	}
	for i, c := range p.Controls {
		switch c.Kind {
		case "team":
			if c.Approver == "" || c.SubmittedAt == nil {
				bad("controls[%d] (team %s) has no approver or submitted_at", i, c.ID)
			}
		case "attestation":
			if c.Identity == "" || c.SignedAt == nil {
				bad("controls[%d] (attestation %s) has no identity or signed_at", i, c.ID)
			}
		case "decision":
			if c.Digest == "" || c.SignedAt == nil {
				bad("controls[%d] (decision %s) has no digest or signed_at", i, c.ID)
			}
		default:
			bad("controls[%d] has kind %q (team, attestation, decision)", i, c.Kind)
		}
		if c.ID == "" {
			bad("controls[%d] has no id", i)
		}
	}
	if p.Override != nil && len(p.Override.By) == 0 {
		bad("override names nobody")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

func isSHA(s string) bool { return isHex(s, 40) || isHex(s, 64) }

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
