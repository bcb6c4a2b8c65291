package decision

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/zgate-dev/zgate/attest"
)

// Subjects returns the commits a decision is about: for a merge, the merge
// commit and the head it merged; otherwise the head.
func (p *Predicate) Subjects() []attest.Commit {
	owner, repo, _ := strings.Cut(p.Repository, "/")
	out := []attest.Commit{}
	if p.MergeCommitSHA != "" {
		out = append(out, attest.Commit{Owner: owner, Repo: repo, SHA: p.MergeCommitSHA})
	}
	return append(out, attest.Commit{Owner: owner, Repo: repo, SHA: p.HeadSHA})
}

// Statement returns the in-toto statement of p, bound to its subjects in
// the name form package attest verifies (and GitHub indexes).
func Statement(p Predicate) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("decision: %w", err)
	}
	return attest.NewCommitsStatement(p.Subjects(), PredicateType, body)
}

// ErrMismatch is returned by [Verify] for a genuine decision that is not
// the one asked for: another repository, commit or gate.
var ErrMismatch = errors.New("gate decision does not match")

// Verified is a verified decision and what verified it.
type Verified struct {
	Predicate Predicate
	// Attestation is the signer and verified signing time.
	Attestation attest.Result
}

// Verify verifies bundleJSON as a signed decision about commit c: the
// bundle with v (signature, verified time, subject bound to c), the signer
// with pol (its predicate type is set to [PredicateType]), then the
// bundle's form (byte for byte what zgate writes: see [ErrNotCanonical]),
// and the predicate, which must name c's repository, have c as its head or merge
// commit and, when gate is not empty, be that gate's.
func Verify(v *attest.Verifier, bundleJSON []byte, c attest.Commit, pol attest.SignerPolicy, gate string) (Verified, error) {
	res, err := v.Verify(bundleJSON, c)
	if err != nil {
		return Verified{Attestation: res}, err
	}
	pol.PredicateType = PredicateType
	if err := pol.Check(res); err != nil {
		return Verified{Attestation: res}, err
	}
	if err := checkCanonical(bundleJSON, res.Identity); err != nil {
		return Verified{Attestation: res}, err
	}
	var st struct {
		Predicate json.RawMessage `json:"predicate"`
	}
	if err := json.Unmarshal(res.Statement, &st); err != nil {
		return Verified{Attestation: res}, fmt.Errorf("%w: statement: %w", ErrInvalid, err)
	}
	p, err := Decode(st.Predicate)
	if err != nil {
		return Verified{Attestation: res}, err
	}
	out := Verified{Predicate: p, Attestation: res}
	sha := strings.ToLower(c.SHA)
	switch {
	case !strings.EqualFold(p.Repository, c.Owner+"/"+c.Repo):
		return out, fmt.Errorf("%w: it is about %s, not %s/%s", ErrMismatch, p.Repository, c.Owner, c.Repo)
	case sha != p.HeadSHA && sha != p.MergeCommitSHA:
		return out, fmt.Errorf("%w: its commits are %s, not %s", ErrMismatch, strings.Join(commitList(p), " and "), c.SHA)
	case gate != "" && p.Gate != gate:
		return out, fmt.Errorf("%w: it is gate %q's, not %q's", ErrMismatch, p.Gate, gate)
	}
	return out, nil
}

func commitList(p Predicate) []string {
	var out []string
	for _, s := range p.Subjects() {
		out = append(out, s.SHA)
	}
	return out
}
