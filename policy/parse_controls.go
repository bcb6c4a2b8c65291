package policy

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	controlsKeys    = []string{"teams", "attestations", "decision"}
	teamsKeys       = []string{"from", "fresh"}
	attestationKeys = []string{"name", "predicate_type", "issuer", "identity",
		"source_repository", "signer_workflow", "runner_environment"}
	// requiredAttestationKeys are the attestationKeys every control sets.
	requiredAttestationKeys = attestationKeys[:4]
)

// fromCodeownersValue is the teams.from value that takes the owners from
// CODEOWNERS.
const fromCodeownersValue = "codeowners"

var (
	// policyOwnerRE is the syntax of an owner a policy may name: @org/team or
	// @user. Emails cannot be resolved to a login, so they are not allowed.
	policyOwnerRE = regexp.MustCompile(`^@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?$`)
	// attestationNameRE is the syntax of an attestation control's id.
	attestationNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	// repositoryPathRE is "owner/repo", alone or as a repository URL's path.
	repositoryPathRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.-]+$`)
)

// controls decodes `controls`, applying the defaults.
func (d *policyDecoder) controls(n *yaml.Node) Controls {
	c := Controls{Teams: TeamControls{FromCodeowners: true, Fresh: FreshHead}}
	f, ok := d.mapping(n, "controls", controlsKeys)
	if !ok {
		return c
	}
	if v := f.get("teams"); v != nil {
		c.Teams = d.teams(v)
	}
	if v := f.get("attestations"); v != nil {
		c.Attestations = d.attestations(v)
	}
	if v := f.get("decision"); v != nil {
		c.Decision = d.decision(v)
	}
	return c
}

// teams decodes `controls.teams`.
func (d *policyDecoder) teams(n *yaml.Node) TeamControls {
	t := TeamControls{FromCodeowners: true, Fresh: FreshHead}
	f, ok := d.mapping(n, "controls.teams", teamsKeys)
	if !ok {
		return t
	}
	if v := f.get("from"); v != nil {
		t.FromCodeowners, t.From = d.teamsFrom(v)
	}
	if v := f.get("fresh"); v != nil {
		if s, ok := d.str(v, "controls.teams.fresh"); ok {
			switch Freshness(s) {
			case FreshHead, FreshAny:
				t.Fresh = Freshness(s)
			default:
				d.errorf(v, "controls.teams.fresh: want %q or %q, got %q", FreshHead, FreshAny, s)
			}
		}
	}
	return t
}

// teamsFrom decodes `controls.teams.from`: "codeowners" or a list of
// owners. A bad value keeps the codeowners default, which is harmless since
// the problem fails the whole policy.
func (d *policyDecoder) teamsFrom(n *yaml.Node) (fromCodeowners bool, from []string) {
	const what = "controls.teams.from"
	if n.Kind == yaml.ScalarNode {
		if s, ok := d.str(n, what); ok && s != fromCodeownersValue {
			d.errorf(n, "%s: want %q or a list of @org/team or @user, got %q", what, fromCodeownersValue, s)
		}
		return true, nil
	}
	if n.Kind != yaml.SequenceNode {
		d.wrongType(n, what, fmt.Sprintf("%q or a list of @org/team or @user", fromCodeownersValue))
		return true, nil
	}
	return false, append([]string{}, d.owners(d.strings(n, what), "control")...)
}

// owners keeps the items that name an owner (@org/team or @user), each
// once: an item that is not an owner, or repeats one case-insensitively,
// is an error that names it as a duplicate noun ("team", "control").
func (d *policyDecoder) owners(items []listItem, noun string) []string {
	var out []string
	first := map[string]int{}
	for _, it := range items {
		if !policyOwnerRE.MatchString(it.val) {
			d.errorf(it.node, "%s: %q is not a team: want @org/team or @user", it.what, it.val)
			continue
		}
		key := strings.ToLower(it.val)
		if line, dup := first[key]; dup {
			d.errorf(it.node, "%s: duplicate %s %q (first at line %d)", it.what, noun, it.val, line)
			continue
		}
		first[key] = it.node.Line
		out = append(out, it.val)
	}
	return out
}

// attestations decodes `controls.attestations`, compiling each identity
// and signer workflow.
func (d *policyDecoder) attestations(n *yaml.Node) []AttestationControl {
	nodes, ok := d.sequence(n, "controls.attestations")
	if !ok {
		return nil
	}
	var out []AttestationControl
	first := map[string]int{}
	// Controls by predicate type, issuer and identity: only those can
	// overlap.
	type signer struct{ predicateType, issuer, identity string }
	bySigner := map[signer][]signerFields{}
	for i, c := range nodes {
		what := fmt.Sprintf("controls.attestations[%d]", i)
		// A control with a bad field is kept by name, so that `required`
		// and `quorum` are checked against what the author meant; the
		// problem already fails the policy.
		a, nameNode := d.attestation(c, what)
		if a.Name == "" {
			continue
		}
		if line, dup := first[a.Name]; dup {
			d.errorf(nameNode, "%s.name: duplicate control %q (first at line %d)", what, a.Name, line)
			continue
		}
		first[a.Name] = nameNode.Line
		// Two controls that one attestation can both satisfy would count a
		// single signal twice toward the quorum.
		if a.PredicateType != "" && a.Issuer != "" && a.Identity != "" {
			key := signer{a.PredicateType, a.Issuer, a.Identity}
			fields := newSignerFields(&a)
			for _, other := range bySigner[key] {
				if other.overlaps(fields) {
					d.errorf(c, "%s: same predicate_type, issuer and identity as %q, and no source_repository, signer_workflow or runner_environment that tells them apart: one attestation would count as two controls", what, other.name)
					break
				}
			}
			bySigner[key] = append(bySigner[key], fields)
		}
		out = append(out, a)
	}
	return out
}

// signerFields are the optional signer fields of a control, normalised for
// comparison, to tell apart controls with the same predicate type, issuer
// and identity.
type signerFields struct {
	name                                    string
	repository, workflow, runnerEnvironment string
}

// newSignerFields takes a's optional signer fields.
func newSignerFields(a *AttestationControl) signerFields {
	return signerFields{
		name:              a.Name,
		repository:        repositoryKey(a.SourceRepository),
		workflow:          a.SignerWorkflow,
		runnerEnvironment: a.RunnerEnvironment,
	}
}

// overlaps reports whether one attestation could hold both controls: no
// optional field is set differently on both. Patterns are compared as
// written, as identities always were; different but overlapping patterns
// are the author's call.
func (f signerFields) overlaps(g signerFields) bool {
	differ := func(x, y string) bool { return x != "" && y != "" && x != y }
	return !differ(f.repository, g.repository) &&
		!differ(f.workflow, g.workflow) &&
		!differ(f.runnerEnvironment, g.runnerEnvironment)
}

// attestation decodes one attestation control, reporting missing and bad
// fields.
func (d *policyDecoder) attestation(n *yaml.Node, what string) (a AttestationControl, nameNode *yaml.Node) {
	f, ok := d.mapping(n, what, attestationKeys)
	if !ok {
		return a, nil
	}
	vals := map[string]string{}
	for _, key := range attestationKeys {
		v := f.get(key)
		if v == nil {
			if slices.Contains(requiredAttestationKeys, key) {
				d.errorf(n, "%s: missing %s", what, key)
			}
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
	nameNode = f.get("name")
	if name, set := vals["name"]; set {
		switch {
		case strings.Contains(name, "@"):
			d.errorf(nameNode, "%s.name: %q looks like a team: attestation names must not contain @", what, name)
		case !attestationNameRE.MatchString(name):
			d.errorf(nameNode, "%s.name: %q must be letters, digits, '.', '_' or '-', starting with a letter or digit", what, name)
		}
	}
	if id, set := vals["identity"]; set {
		a.IdentityRE = d.anchoredRE(f.get("identity"), what+".identity", id)
	}
	if wf, set := vals["signer_workflow"]; set {
		a.SignerWorkflowRE = d.anchoredRE(f.get("signer_workflow"), what+".signer_workflow", wf)
	}
	if repo, set := vals["source_repository"]; set && !validRepository(repo) {
		d.errorf(f.get("source_repository"), "%s.source_repository: %q: want owner/repo or the repository's URL, https://HOST/owner/repo", what, repo)
	}
	if env, set := vals["runner_environment"]; set && env != RunnerGitHubHosted && env != RunnerSelfHosted {
		d.errorf(f.get("runner_environment"), "%s.runner_environment: want %q or %q, got %q", what, RunnerGitHubHosted, RunnerSelfHosted, env)
	}
	a.Name = vals["name"]
	a.PredicateType = vals["predicate_type"]
	a.Issuer = vals["issuer"]
	a.Identity = vals["identity"]
	a.SourceRepository = vals["source_repository"]
	a.SignerWorkflow = vals["signer_workflow"]
	a.RunnerEnvironment = vals["runner_environment"]
	return a, nameNode
}

// anchoredRE compiles a signer pattern anchored as ^(?:re)$, reporting a
// bad one at n. The expression is compiled alone first: only a well-formed
// expression can be wrapped safely. "a)|(.*" would otherwise become
// ^(?:a)|(.*)$ and match every signer.
func (d *policyDecoder) anchoredRE(n *yaml.Node, what, re string) *regexp.Regexp {
	if _, err := regexp.Compile(re); err != nil {
		d.errorf(n, "%s: bad regular expression: %v", what, err)
		return nil
	}
	anchored, err := regexp.Compile("^(?:" + re + ")$")
	if err != nil {
		d.errorf(n, "%s: bad regular expression: %v", what, err)
		return nil
	}
	return anchored
}

// validRepository reports whether s names a repository: "owner/repo", or
// an https URL whose path is /owner/repo (github.com or GitHub Enterprise
// Server), without credentials, query or fragment.
func validRepository(s string) bool {
	if !strings.Contains(s, "://") {
		return repositoryPathRE.MatchString(s) && !dotName(s)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	p := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/"), "/")
	return u.RawPath == "" && repositoryPathRE.MatchString(p) && !dotName(p)
}

// dotName reports an "owner/." or "owner/.." name, which GitHub refuses.
func dotName(ownerRepo string) bool {
	_, repo, _ := strings.Cut(ownerRepo, "/")
	return repo == "." || repo == ".."
}
