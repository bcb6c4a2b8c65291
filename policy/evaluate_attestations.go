package policy

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// judgeAttestation decides one attestation control: it holds when a
// verified attestation has the control's predicate type and issuer, an
// identity the anchored regex matches, the head commit as subject, and a
// signing time inside the window (and not in the future beyond the clock
// skew). The freshest such attestation is the one reported.
func judgeAttestation(c *AttestationControl, ix *factsIndex, window time.Duration, now time.Time) ControlResult {
	cr := ControlResult{ID: c.Name, Kind: ControlAttestation}
	head := ix.headSHA()
	re := c.IdentityRE
	if re == nil {
		var err error
		re, err = regexp.Compile(`^(?:` + c.Identity + `)$`)
		if err != nil {
			cr.Reason = fmt.Sprintf("the identity pattern %q is not a valid regular expression, so no attestation can match", c.Identity)
			return cr
		}
	}
	var best *Attestation
	for i := range ix.f.Attestations {
		a := &ix.f.Attestations[i]
		if a.PredicateType != c.PredicateType {
			continue
		}
		var why string
		switch {
		case a.Issuer != c.Issuer:
			why = fmt.Sprintf("issued by %s, not %s", a.Issuer, c.Issuer)
		case !re.MatchString(a.Identity):
			why = fmt.Sprintf("signed by %s, which does not match %s", a.Identity, c.Identity)
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

// attestationMissing says what would make an attestation control hold.
func attestationMissing(id string, c *AttestationControl, head string) string {
	return fmt.Sprintf("%s: a verified attestation of %s from %s, identity matching %s, for the head %s",
		id, c.PredicateType, c.Issuer, c.Identity, abbrevSHA(head))
}
