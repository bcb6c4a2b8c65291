package decision

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/decision"
	"github.com/zgate-dev/zgate/policy"
)

// Signer signs gate decisions with one key.
type Signer struct {
	// Key signs (ECDSA P-256 or Ed25519).
	Key crypto.Signer
	// TSAURL is an RFC 3161 timestamp authority; without one the decision
	// has no verified signing time and never verifies as a control.
	TSAURL string
	// HTTPClient reaches the timestamp authority; nil: a 30 s client.
	HTTPClient *http.Client
	// Version is zgate's version, written into each decision.
	Version string

	mu     sync.Mutex
	opened map[string]bool // heads signed on opening, without a Z
}

// ErrAlreadySigned is returned by [Signer.Sign] for an opening already
// signed.
var ErrAlreadySigned = errors.New("decision already signed")

// Signed is a signed and uploaded decision.
type Signed struct {
	Predicate decision.Predicate
	// Bundle is the Sigstore bundle (JSON).
	Bundle json.RawMessage
	// AttestationID is GitHub's id of the uploaded attestation; 0 when the
	// upload failed (UploadErr).
	AttestationID int64
	UploadErr     error
}

// Sign signs the decision of gate g, evaluated open at decidedAt on res,
// and uploads it to the repository's attestations. z tells whether the
// gate's Z ran (then, for a merge, the merge commit is read from the pull
// request); without one (a gate with `sign: always` that opened) each head
// is signed once per process. An error means nothing was signed; a failed
// upload is reported in Signed.UploadErr.
func (s *Signer) Sign(ctx context.Context, gh *github.Client, res *facts.Result, g *policy.Gate, decidedAt time.Time, z bool) (Signed, error) {
	gd, ok := gateDecision(res, g.Name, decidedAt)
	if !ok {
		return Signed{}, fmt.Errorf("decision of %s: the gate is not in the evaluation", g.Name)
	}
	owner, repo := splitRepo(res.Facts.Repository)
	action := string(g.Then.Kind())
	if !z {
		action = "none"
		key := fmt.Sprintf("%s#%d/%s@%s", res.Facts.Repository, res.Facts.PullRequest.Number, g.Name, res.HeadSHA)
		s.mu.Lock()
		if s.opened == nil {
			s.opened = map[string]bool{}
		}
		done := s.opened[key]
		s.opened[key] = true
		s.mu.Unlock()
		if done {
			return Signed{}, ErrAlreadySigned
		}
	}
	var mergeSHA string
	if z && g.Then.Kind() == policy.ActionMerge {
		pr, _, err := gh.PullRequests.Get(ctx, owner, repo, res.Facts.PullRequest.Number)
		if err != nil {
			return Signed{}, fmt.Errorf("decision of %s: read the merge commit: %w", g.Name, err)
		}
		if !pr.GetMerged() || pr.GetMergeCommitSHA() == "" {
			return Signed{}, fmt.Errorf("decision of %s: %s#%d is not merged", g.Name, res.Facts.Repository, res.Facts.PullRequest.Number)
		}
		mergeSHA = pr.GetMergeCommitSHA()
	}
	p, err := Build(res, g, gd, action, mergeSHA, decidedAt, s.Version)
	if err != nil {
		return Signed{}, err
	}
	st, err := decision.Statement(p)
	if err != nil {
		return Signed{}, fmt.Errorf("decision of %s: %w", g.Name, err)
	}
	bundle, err := attest.SignKeyed(ctx, s.Key, st, attest.SignOptions{TSAURL: s.TSAURL, HTTPClient: s.HTTPClient})
	if err != nil {
		return Signed{}, fmt.Errorf("decision of %s: %w", g.Name, err)
	}
	out := Signed{Predicate: p, Bundle: bundle}
	out.AttestationID, out.UploadErr = Upload(ctx, gh, owner, repo, bundle)
	return out, nil
}

// Upload stores bundle with POST /repos/{owner}/{repo}/attestations
// (permission Attestations: write) and returns its id.
func Upload(ctx context.Context, gh *github.Client, owner, repo string, bundle json.RawMessage) (int64, error) {
	req, err := gh.NewRequest(http.MethodPost, fmt.Sprintf("repos/%s/%s/attestations", owner, repo), map[string]json.RawMessage{"bundle": bundle})
	if err != nil {
		return 0, fmt.Errorf("upload attestation: %w", err)
	}
	var created struct {
		ID int64 `json:"id"`
	}
	if _, err := gh.Do(ctx, req, &created); err != nil {
		return 0, fmt.Errorf("upload attestation to %s/%s: %w", owner, repo, err)
	}
	return created.ID, nil
}

func gateDecision(res *facts.Result, gate string, now time.Time) (policy.GateDecision, bool) {
	for _, gd := range facts.Evaluate(res, now).Gates {
		if gd.Name == gate {
			return gd, true
		}
	}
	return policy.GateDecision{}, false
}

func splitRepo(full string) (owner, repo string) {
	owner, repo, _ = strings.Cut(full, "/")
	return owner, repo
}
