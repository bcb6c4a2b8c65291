package policy

import (
	"fmt"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ControlDecision is the kind of a decision control.
const ControlDecision ControlKind = "decision"

// DecisionControl requires a signed gate decision (predicate
// https://zgate.dev/gate-decision/v1) of Gate in Repository about the head
// commit, verified with the public key in the file Key. Key is a path in
// the gated repository, read at the base branch's commit like CODEOWNERS,
// so a pull request cannot bring its own key.
type DecisionControl struct {
	// Repository is "owner/repo": where the deciding gate runs, and whose
	// attestations hold the decision.
	Repository string
	Gate       string
	Key        string
	// Line is the 1-based line of the control in the policy file.
	Line int
}

// ID names the control in `required`, explanations and check runs:
// "decision:owner/repo/gate".
func (c *DecisionControl) ID() string {
	return "decision:" + c.Repository + "/" + c.Gate
}

// SignedDecision is a verified signed gate decision about a commit: the
// App verified the bundle (signature with the key in Key, timestamp,
// subject, predicate) before listing it; the policy matches it to a
// control and judges its time.
type SignedDecision struct {
	// Repository and Gate are the predicate's.
	Repository string `json:"repository"`
	Gate       string `json:"gate"`
	// Key is the policy's key file path the bundle verified with.
	Key string `json:"key"`
	// PullRequest is the number of the decided pull request in Repository.
	PullRequest int `json:"pull_request,omitempty"`
	// Commit is the commit the decision was found for: its head or merge
	// commit.
	Commit string `json:"commit"`
	// DecidedAt is the predicate's decision time (signed, but by the
	// decider's clock); SignedAt the timestamp authority's verified time.
	DecidedAt time.Time `json:"decided_at"`
	SignedAt  time.Time `json:"signed_at"`
	// Digest is "sha256:<hex>" of the bundle.
	Digest string `json:"digest,omitempty"`
}

// RejectedDecision is a decision bundle that did not verify, or a lookup
// that could not be made at all.
type RejectedDecision struct {
	Repository string `json:"repository"`
	Gate       string `json:"gate"`
	Key        string `json:"key"`
	// Source is the bundle digest, or what could not be read.
	Source string `json:"source"`
	Reason string `json:"reason"`
	// Unavailable is set when the decisions could not be looked up at all
	// (key file unreadable, repository not readable with the
	// installation's token): the gate then fails closed.
	Unavailable bool `json:"unavailable,omitempty"`
}

// decisionKeys are the keys of controls.decision, all required.
var decisionKeys = []string{"repository", "gate", "key"}

// decision decodes `controls.decision`.
func (d *policyDecoder) decision(n *yaml.Node) *DecisionControl {
	const what = "controls.decision"
	// A bad control is still a control (the problem fails the policy):
	// no second complaint that the gate has none.
	c := &DecisionControl{Line: n.Line}
	f, ok := d.mapping(n, what, decisionKeys)
	if !ok {
		return c
	}
	vals := map[string]string{}
	for _, key := range decisionKeys {
		v := f.get(key)
		if v == nil {
			d.errorf(n, "%s: missing %s", what, key)
			continue
		}
		s, ok := d.str(v, what+"."+key)
		if !ok {
			continue
		}
		if s == "" {
			d.errorf(v, "%s.%s: empty string", what, key)
			continue
		}
		vals[key] = s
	}
	if repo, set := vals["repository"]; set && (!repositoryPathRE.MatchString(repo) || dotName(repo)) {
		d.errorf(f.get("repository"), "%s.repository: %q: want owner/repo", what, repo)
	}
	if gate, set := vals["gate"]; set && !gateNameRE.MatchString(gate) {
		d.errorf(f.get("gate"), "%s.gate: %q is not a gate name: lower-case letters, digits and '-'", what, gate)
	}
	if key, set := vals["key"]; set {
		if why := badKeyPath(key); why != "" {
			d.errorf(f.get("key"), "%s.key: %q: %s", what, key, why)
		}
	}
	c.Repository, c.Gate, c.Key = vals["repository"], vals["gate"], vals["key"]
	return c
}

// badKeyPath says why p cannot name a file in the repository, or "".
func badKeyPath(p string) string {
	switch {
	case strings.HasPrefix(p, "/"):
		return "want a path relative to the repository root"
	case strings.ContainsAny(p, "\\\x00") || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "contains a backslash or control character"
	case path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../") || p == "..":
		return "want a clean path inside the repository (no ., .. or double slash)"
	}
	return ""
}

// judgeDecision decides a decision control: it holds when a verified
// decision of the control's repository and gate, verified with the
// control's key file, is about the head commit and was made inside the
// window. Its time is the earlier of the signed decision time and the
// timestamp authority's time, so neither clock alone can make an old
// decision young. unsafe lists lookups that failed: the gate fails closed.
func judgeDecision(c *DecisionControl, ix *factsIndex, window time.Duration, now time.Time) (cr ControlResult, unsafe []string) {
	cr = ControlResult{ID: c.ID(), Kind: ControlDecision}
	head := ix.headSHA()
	var best *SignedDecision
	var bestAt time.Time
	for i := range ix.f.Decisions {
		sd := &ix.f.Decisions[i]
		at := sd.SignedAt
		if sd.DecidedAt.Before(at) {
			at = sd.DecidedAt
		}
		if !sameRepository(sd.Repository, c.Repository) || sd.Gate != c.Gate {
			continue // another control's decision: it says nothing of this one
		}
		var why string
		switch {
		case sd.Key != c.Key:
			why = fmt.Sprintf("verified with %s, not %s", sd.Key, c.Key)
		case head == "" || !strings.EqualFold(sd.Commit, head):
			why = fmt.Sprintf("for commit %s, not the head %s", abbrevSHA(sd.Commit), abbrevSHA(head))
		case sd.SignedAt.IsZero():
			why = "without a verified signing time"
		case sd.SignedAt.After(now.Add(clockSkew)) || sd.DecidedAt.After(now.Add(clockSkew)):
			why = fmt.Sprintf("signed at %s, decided at %s: in the future", rfc3339(sd.SignedAt), rfc3339(sd.DecidedAt))
		case now.Sub(at) > window:
			why = fmt.Sprintf("decided at %s, outside the %s window (expired %s)", rfc3339(at), windowString(window), rfc3339(at.Add(window)))
		}
		if why != "" {
			cr.Notes = append(cr.Notes, fmt.Sprintf("decision %d did not count: %s", i+1, why))
			continue
		}
		if best == nil || at.After(bestAt) {
			best, bestAt = sd, at
		}
	}
	for _, r := range ix.f.RejectedDecisions {
		if !sameRepository(r.Repository, c.Repository) || r.Gate != c.Gate || r.Key != c.Key {
			continue
		}
		if r.Unavailable {
			unsafe = append(unsafe, fmt.Sprintf("the signed decisions of %s gate %s could not be checked: %s", c.Repository, c.Gate, r.Reason))
			continue
		}
		cr.Notes = append(cr.Notes, fmt.Sprintf("decision %s failed verification: %s", r.Source, r.Reason))
	}
	if best == nil {
		cr.Reason = fmt.Sprintf("no valid signed decision of %s gate %s (key %s) for the head %s", c.Repository, c.Gate, c.Key, abbrevSHA(head))
		if len(cr.Notes) > 0 {
			cr.Reason += ". Not counted: " + strings.Join(cr.Notes, "; ")
		}
		return cr, unsafe
	}
	at := bestAt
	cr.Held = true
	cr.By = fmt.Sprintf("%s#%d", best.Repository, best.PullRequest)
	cr.At = &at
	cr.Commit = best.Commit
	cr.Reason = fmt.Sprintf("%s gate %s decided %s (pull request #%d) at %s, signed with %s", best.Repository, best.Gate, abbrevSHA(best.Commit), best.PullRequest, rfc3339(at), c.Key)
	return cr, unsafe
}

// decisionMissing says what would make a decision control hold.
func decisionMissing(id string, c *DecisionControl, head string) string {
	return fmt.Sprintf("%s: a signed decision of gate %s in %s about the head %s, verifiable with %s", id, c.Gate, c.Repository, abbrevSHA(head), c.Key)
}
