package policy

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// judgeAttestation decides one attestation control: it holds when a
// verified attestation has the control's predicate type and issuer, an
// identity the anchored regex matches, the source repository, signer
// workflow and runner environment the control asks for (when it asks),
// the head commit as subject, and a signing time inside the window (and not
// in the future beyond the clock skew). The freshest such attestation is
// the one reported.
func judgeAttestation(c *AttestationControl, ix *factsIndex, window time.Duration, now time.Time) ControlResult {
	cr := ControlResult{ID: c.Name, Kind: ControlAttestation}
	head := ix.headSHA()
	re, ok := anchoredPattern(c.IdentityRE, c.Identity)
	if !ok {
		cr.Reason = fmt.Sprintf("the identity pattern %q is not a valid regular expression, so no attestation can match", c.Identity)
		return cr
	}
	var workflowRE *regexp.Regexp
	if c.SignerWorkflow != "" {
		if workflowRE, ok = anchoredPattern(c.SignerWorkflowRE, c.SignerWorkflow); !ok {
			cr.Reason = fmt.Sprintf("the signer workflow pattern %q is not a valid regular expression, so no attestation can match", c.SignerWorkflow)
			return cr
		}
	}
	var best *Attestation
	for i := range ix.f.Attestations {
		a := &ix.f.Attestations[i]
		if a.PredicateType != c.PredicateType {
			continue
		}
		why := signerMismatch(c, a, re, workflowRE)
		switch {
		case why != "":
		case !strings.EqualFold(a.Commit, head) || head == "":
			why = fmt.Sprintf("for commit %s, not the head %s", abbrevSHA(a.Commit), abbrevSHA(head))
		case a.SignedAt.After(now.Add(clockSkew)):
			why = fmt.Sprintf("signed at %s, in the future", rfc3339(a.SignedAt))
		case now.Sub(a.SignedAt) > window:
			why = fmt.Sprintf("signed at %s, outside the %s window (expired %s)",
				rfc3339(a.SignedAt), windowString(window), rfc3339(a.SignedAt.Add(window)))
		}
		if why != "" {
			cr.Notes = append(cr.Notes, fmt.Sprintf("attestation %d did not count: %s", i+1, why))
			continue
		}
		if best == nil || a.SignedAt.After(best.SignedAt) {
			best = a
		}
	}
	for _, r := range ix.f.RejectedAttestations {
		cr.Notes = append(cr.Notes, fmt.Sprintf("attestation from %s failed verification: %s", r.Source, r.Reason))
	}
	if best == nil {
		cr.Reason = fmt.Sprintf("no verified %s attestation from %s for the head %s", c.PredicateType, c.Issuer, abbrevSHA(head))
		if len(cr.Notes) > 0 {
			cr.Reason += ". Not counted: " + strings.Join(cr.Notes, "; ")
		}
		return cr
	}
	at := best.SignedAt
	cr.Held = true
	cr.By = best.Identity
	cr.At = &at
	cr.Commit = best.Commit
	cr.Reason = fmt.Sprintf("attested by %s for %s at %s", best.Identity, abbrevSHA(best.Commit), rfc3339(at))
	return cr
}

// signerMismatch says why a was not signed by a signer c accepts, or
// returns "". identity and workflow are c's compiled patterns (workflow
// nil when c does not restrict the signer workflow).
func signerMismatch(c *AttestationControl, a *Attestation, identity, workflow *regexp.Regexp) string {
	switch {
	case a.Issuer != c.Issuer:
		return fmt.Sprintf("issued by %s, not %s", a.Issuer, c.Issuer)
	case !identity.MatchString(a.Identity):
		return fmt.Sprintf("signed by %s, which does not match %s", a.Identity, c.Identity)
	case c.SourceRepository != "" && !sameRepository(a.SourceRepository, c.SourceRepository):
		return fmt.Sprintf("source repository %s is not %s", orNone(a.SourceRepository), c.SourceRepository)
	case workflow != nil && !workflow.MatchString(a.SignerWorkflow):
		return fmt.Sprintf("signer workflow %s does not match %s", orNone(a.SignerWorkflow), c.SignerWorkflow)
	case c.RunnerEnvironment != "" && a.RunnerEnvironment != c.RunnerEnvironment:
		return fmt.Sprintf("runner environment %s is not %s", orNone(a.RunnerEnvironment), c.RunnerEnvironment)
	}
	return ""
}

// anchoredPattern returns compiled, or compiles pattern anchored as
// ^(?:pattern)$ for a control built without [Parse]. ok is false when the
// pattern is not a valid expression on its own: wrapping "a)|(.*" would
// otherwise match everything.
func anchoredPattern(compiled *regexp.Regexp, pattern string) (re *regexp.Regexp, ok bool) {
	if compiled != nil {
		return compiled, true
	}
	if _, err := regexp.Compile(pattern); err != nil {
		return nil, false
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	return re, err == nil
}

// githubRepositoryURL prefixes the URL form of a github.com repository.
const githubRepositoryURL = "https://github.com/"

// sameRepository reports whether two repository names, each "owner/repo"
// (on github.com) or a repository URL, name the same repository. GitHub
// names are case-insensitive.
func sameRepository(a, b string) bool {
	ka, kb := repositoryKey(a), repositoryKey(b)
	return ka != "" && ka == kb
}

// repositoryKey normalises a repository name for comparison: lower case,
// github.com URLs shortened to owner/repo, no trailing slash.
func repositoryKey(s string) string {
	k := strings.ToLower(s)
	k = strings.TrimPrefix(k, githubRepositoryURL)
	return strings.TrimSuffix(k, "/")
}

// orNone shows an empty certificate field in an explanation.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// attestationMissing says what would make an attestation control hold.
func attestationMissing(id string, c *AttestationControl, head string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: a verified attestation of %s from %s, identity matching %s", id, c.PredicateType, c.Issuer, c.Identity)
	if c.SourceRepository != "" {
		fmt.Fprintf(&b, ", source repository %s", c.SourceRepository)
	}
	if c.SignerWorkflow != "" {
		fmt.Fprintf(&b, ", signer workflow matching %s", c.SignerWorkflow)
	}
	if c.RunnerEnvironment != "" {
		fmt.Fprintf(&b, ", on a %s runner", c.RunnerEnvironment)
	}
	fmt.Fprintf(&b, ", for the head %s", abbrevSHA(head))
	return b.String()
}
