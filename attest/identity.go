package attest

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// SignerPolicy says which signer an attestation control accepts. Issuer
// and Identity are required; empty optional fields accept anything.
type SignerPolicy struct {
	// Issuer is the OIDC issuer, compared exactly
	// (https://token.actions.githubusercontent.com for GitHub Actions), or
	// [KeyIssuer] for keyed attestations.
	Issuer string
	// Identity is an RE2 regular expression over the whole certificate SAN
	// (zgate anchors it as ^(?:re)$), or over the key fingerprint.
	Identity string
	// SourceRepository is the repository the signing workflow ran in,
	// "owner/repo" or its https://github.com/ URI, compared
	// case-insensitively.
	SourceRepository string
	// SignerWorkflow is an RE2 regular expression over the whole build
	// signer URI (anchored like Identity), e.g.
	// https://github\.com/acme/ci/\.github/workflows/attest\.yml@refs/heads/main
	SignerWorkflow string
	// RunnerEnvironment, when set, must equal the certificate's
	// ("github-hosted" to refuse self-hosted runners).
	RunnerEnvironment string
	// PredicateType, when set, must equal the statement's.
	PredicateType string
}

// Validate reports a policy that cannot match anything safely.
func (p SignerPolicy) Validate() error {
	var errs []error
	if p.Issuer == "" {
		errs = append(errs, errors.New("issuer is required"))
	}
	if p.Identity == "" {
		errs = append(errs, errors.New("identity is required"))
	} else if _, err := anchored(p.Identity); err != nil {
		errs = append(errs, fmt.Errorf("identity: %w", err))
	}
	if p.SignerWorkflow != "" {
		if _, err := anchored(p.SignerWorkflow); err != nil {
			errs = append(errs, fmt.Errorf("signer workflow: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Check reports whether r was signed by a signer p accepts; the error wraps
// one of the kinds of [ErrSignerMismatch] and reads as a reason.
func (p SignerPolicy) Check(r Result) error {
	if err := p.Validate(); err != nil {
		return &rejection{kind: ErrSignerMismatch, reason: "invalid signer policy: " + err.Error(), cause: err}
	}
	if r.Issuer != p.Issuer {
		return reject(ErrIssuer, "issuer is %q, policy wants %q", r.Issuer, p.Issuer)
	}
	re, _ := anchored(p.Identity)
	if !re.MatchString(r.Identity) {
		return reject(ErrIdentity, "identity %q does not match %q", r.Identity, p.Identity)
	}
	if p.SourceRepository != "" && !strings.EqualFold(repoURI(p.SourceRepository), r.SourceRepository) {
		return reject(ErrSourceRepository, "source repository is %q, policy wants %q", r.SourceRepository, repoURI(p.SourceRepository))
	}
	if p.SignerWorkflow != "" {
		re, _ := anchored(p.SignerWorkflow)
		if !re.MatchString(r.SignerWorkflow) {
			return reject(ErrSignerWorkflow, "signer workflow %q does not match %q", r.SignerWorkflow, p.SignerWorkflow)
		}
	}
	if p.RunnerEnvironment != "" && r.RunnerEnvironment != p.RunnerEnvironment {
		return reject(ErrRunnerEnvironment, "runner environment is %q, policy wants %q", r.RunnerEnvironment, p.RunnerEnvironment)
	}
	if p.PredicateType != "" && r.PredicateType != p.PredicateType {
		return reject(ErrPredicateType, "predicate type is %q, policy wants %q", r.PredicateType, p.PredicateType)
	}
	return nil
}

// anchored compiles re so that it must match the whole string.
func anchored(re string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + re + `)$`)
}

// repoURI turns "owner/repo" into https://github.com/owner/repo.
func repoURI(s string) string {
	if strings.Contains(s, "://") {
		return s
	}
	return "https://github.com/" + strings.TrimPrefix(s, "/")
}
