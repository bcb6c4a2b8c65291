package facts

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/policy"
)

// attestSource reads bundles from GitHub's attestations API and verifies
// them with package attest.
type attestSource struct {
	v *attest.Verifier
	// roots are v's trusted roots, for the decision controls' verifiers
	// (each trusts one key besides them).
	roots *attest.TrustedRoots
}

// NewAttestSource returns an [AttestationSource] that fetches the bundles
// GitHub stores about a commit (under each of attest.SubjectDigests, for
// each predicate type the policy asks for) and verifies each with v,
// including its binding to the commit. Who signed is left to the policy:
// it matches issuer, identity, source repository, signer workflow and
// runner environment per control.
func NewAttestSource(v *attest.Verifier) AttestationSource {
	return &attestSource{v: v}
}

// LoadAttestSource is [NewAttestSource] over the trusted roots in the file
// trustedRoot (JSON or JSON lines, see attest.LoadTrustedRoots). With no
// file it returns nil: attestation controls never hold (fail closed).
func LoadAttestSource(trustedRoot string) (AttestationSource, error) {
	if trustedRoot == "" {
		return nil, nil
	}
	data, err := os.ReadFile(trustedRoot)
	if err != nil {
		return nil, fmt.Errorf("read the trusted root: %w", err)
	}
	roots, err := attest.LoadTrustedRoots(data)
	if err != nil {
		return nil, fmt.Errorf("trusted root %s: %w", trustedRoot, err)
	}
	return &attestSource{v: attest.NewVerifier(roots), roots: roots}, nil
}

// Attestations implements [AttestationSource].
func (s *attestSource) Attestations(ctx context.Context, gh *github.Client, owner, repo, sha string, predicateTypes []string) ([]policy.Attestation, []policy.RejectedAttestation, error) {
	commit := attest.Commit{Owner: owner, Repo: repo, SHA: sha}
	var ok []policy.Attestation
	var rejected []policy.RejectedAttestation
	seen := map[string]bool{} // bundle digests: a bundle can be listed under two digests
	for _, digest := range attest.SubjectDigests(owner, repo, sha) {
		for _, pt := range predicateTypes {
			bundles, err := attest.FetchBundles(ctx, gh, owner, repo, digest, pt)
			if err != nil {
				return nil, nil, fmt.Errorf("fetch attestations of %s/%s@%s: %w", owner, repo, sha, err)
			}
			for _, b := range bundles {
				res, err := s.v.Verify(b, commit)
				if seen[res.BundleDigest] {
					continue
				}
				seen[res.BundleDigest] = true
				switch {
				case errors.Is(err, attest.ErrRejected):
					rejected = append(rejected, policy.RejectedAttestation{Source: res.BundleDigest, Reason: err.Error()})
				case err != nil:
					return nil, nil, fmt.Errorf("verify attestation %s: %w", res.BundleDigest, err)
				default:
					ok = append(ok, attestationFact(res))
				}
			}
		}
	}
	return ok, rejected, nil
}

// attestationFact is what the policy needs of a verified attestation: the
// signer's certificate fields it matches per control, the commit and the
// verified signing time.
func attestationFact(res attest.Result) policy.Attestation {
	return policy.Attestation{
		PredicateType:     res.PredicateType,
		Issuer:            res.Issuer,
		Identity:          res.Identity,
		SourceRepository:  res.SourceRepository,
		SignerWorkflow:    res.SignerWorkflow,
		RunnerEnvironment: res.RunnerEnvironment,
		Commit:            res.Commit,
		SignedAt:          res.SignedAt,
		Digest:            res.BundleDigest,
	}
}
