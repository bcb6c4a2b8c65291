package facts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/decision"
	"github.com/zgate-dev/zgate/policy"
)

// DecisionSource finds and verifies the signed gate decisions of
// c.Repository's gate c.Gate about commit sha, trusting only keyPEM (the
// public keys of c.Key, read at the base commit). Bundles that do not
// verify are returned as rejected with the reason; an error means the
// decisions could not be looked up at all (the gate then fails closed).
type DecisionSource interface {
	Decisions(ctx context.Context, gh *github.Client, c *policy.DecisionControl, keyPEM []byte, sha string) ([]policy.SignedDecision, []policy.RejectedDecision, error)
}

// errNoDecisionSource is why decisions cannot be checked without a trusted
// root: a keyed decision's time is vouched for only by its timestamp
// authority, which the trusted root names.
var errNoDecisionSource = errors.New("zgate has no trusted root (--trusted-root) naming the decisions' timestamp authority, so no decision can verify")

// Decisions implements [DecisionSource] with the source's trusted roots
// (their timestamp authorities vouch for the signing time) and the
// control's key, and nothing else: a decision signed by any other key, or
// by a certificate of the roots, does not verify.
func (s *attestSource) Decisions(ctx context.Context, gh *github.Client, c *policy.DecisionControl, keyPEM []byte, sha string) ([]policy.SignedDecision, []policy.RejectedDecision, error) {
	keys, err := attest.ParsePublicKeys(keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("key %s: %w", c.Key, err)
	}
	owner, repo, _ := strings.Cut(c.Repository, "/")
	// The attestations API answers 404 both for "none" and for a
	// repository the token cannot read; only the latter must fail closed.
	if _, resp, err := gh.Repositories.Get(ctx, owner, repo); err != nil {
		if resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusForbidden) {
			return nil, nil, fmt.Errorf("zgate's installation cannot read %s (install the App there, or on its owner): %w", c.Repository, err)
		}
		return nil, nil, fmt.Errorf("read %s: %w", c.Repository, err)
	}
	v := attest.NewVerifier(s.roots, attest.WithPublicKeys(keys...))
	// Only the configured key verifies at all; the signer policy has
	// nothing more to say about a keyed bundle.
	pol := attest.SignerPolicy{Issuer: attest.KeyIssuer, Identity: ".*"}
	commit := attest.Commit{Owner: owner, Repo: repo, SHA: sha}
	var ok []policy.SignedDecision
	var rejected []policy.RejectedDecision
	seen := map[string]bool{}
	for _, digest := range attest.SubjectDigests(owner, repo, sha) {
		bundles, err := attest.FetchBundles(ctx, gh, owner, repo, digest, decision.PredicateType)
		if err != nil {
			return nil, nil, fmt.Errorf("fetch the decisions of %s about %s: %w", c.Repository, sha, err)
		}
		for _, b := range bundles {
			got, err := decision.Verify(v, b, commit, pol, c.Gate)
			d := got.Attestation.BundleDigest
			if seen[d] {
				continue
			}
			seen[d] = true
			if err != nil {
				rejected = append(rejected, policy.RejectedDecision{Repository: c.Repository, Gate: c.Gate, Key: c.Key, Source: d, Reason: err.Error()})
				continue
			}
			ok = append(ok, policy.SignedDecision{
				Repository: got.Predicate.Repository, Gate: got.Predicate.Gate, Key: c.Key,
				PullRequest: got.Predicate.PullRequest, Commit: got.Attestation.Commit,
				DecidedAt: got.Predicate.DecidedAt, SignedAt: got.Attestation.SignedAt, Digest: d,
			})
		}
	}
	return ok, rejected, nil
}

// gatherDecisions looks up, once per decision control (repository, gate
// and key), the signed decisions about the head commit. The key file is
// read from the base branch at the commit the policy was read at, like
// CODEOWNERS: a pull request cannot bring its own key. Whatever cannot be
// read is recorded as an unavailable lookup, which fails the gate closed.
func (g *Gatherer) gatherDecisions(ctx context.Context, gh *github.Client, owner, repo string, res *Result) {
	p := g.needs(res)
	if p == nil {
		return
	}
	f := &res.Facts
	src, _ := g.Attestations.(DecisionSource)
	seen := map[[3]string]bool{}
	for i := range p.Gates {
		c := p.Gates[i].Controls.Decision
		if c == nil || seen[[3]string{c.Repository, c.Gate, c.Key}] {
			continue
		}
		seen[[3]string{c.Repository, c.Gate, c.Key}] = true
		fail := func(err error) {
			g.logger().WarnContext(ctx, "signed decisions unreadable", "repository", c.Repository, "gate", c.Gate, "err", err)
			f.RejectedDecisions = append(f.RejectedDecisions, policy.RejectedDecision{
				Repository: c.Repository, Gate: c.Gate, Key: c.Key, Source: c.Repository, Reason: err.Error(), Unavailable: true,
			})
		}
		if src == nil {
			fail(errNoDecisionSource)
			continue
		}
		ref := res.PolicyRef
		if ref == "" {
			ref = BaseRef(res.BaseRef)
		}
		key, err := readFile(ctx, gh, owner, repo, ref, c.Key)
		if errors.Is(err, errNotFound) {
			err = fmt.Errorf("the key file %s does not exist on the base branch", c.Key)
		}
		if err != nil {
			fail(err)
			continue
		}
		ok, rejected, err := src.Decisions(ctx, gh, c, key, res.HeadSHA)
		if err != nil {
			fail(err)
			continue
		}
		f.Decisions = append(f.Decisions, ok...)
		f.RejectedDecisions = append(f.RejectedDecisions, rejected...)
	}
}
