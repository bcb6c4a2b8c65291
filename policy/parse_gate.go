package policy

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

var (
	gateKeys = []string{"name", "description", "if", "controls", "quorum", "required",
		"window", "block_on_changes_requested", "override", "pushers", "request_reviews", "sign", "then"}
	ifKeys = []string{"base", "paths", "labels", "environment"}
)

// gateNameRE is the syntax of a gate name, which becomes part of a check
// run name.
var gateNameRE = regexp.MustCompile(`^[a-z0-9-]+$`)

// gates decodes the gates list and reports duplicate names at the
// duplicate.
func (d *policyDecoder) gates(n *yaml.Node) []Gate {
	items, ok := d.sequence(n, "gates")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(n, "gates: empty: a policy needs at least one gate")
		return nil
	}
	gates := make([]Gate, 0, len(items))
	firstLine := map[string]int{}
	for _, it := range items {
		g, nameNode := d.gate(it)
		if nameNode != nil && g.Name != "" {
			if line, dup := firstLine[g.Name]; dup {
				d.errorf(nameNode, "name: duplicate gate name %q (first at line %d)", g.Name, line)
			} else {
				firstLine[g.Name] = nameNode.Line
			}
		}
		gates = append(gates, g)
	}
	return gates
}

// gate decodes one gate, applying the defaults. It returns the name's node
// so the caller can point at a duplicate.
func (d *policyDecoder) gate(n *yaml.Node) (Gate, *yaml.Node) {
	g := Gate{
		Line:                    n.Line,
		Window:                  DefaultWindow,
		BlockOnChangesRequested: true,
		Pushers:                 PushersAll,
		Controls:                Controls{Teams: TeamControls{FromCodeowners: true, Fresh: FreshHead}},
	}
	f, ok := d.mapping(n, "gate", gateKeys)
	if !ok {
		return g, nil
	}
	nameNode := f.get("name")
	if nameNode == nil {
		d.errorf(n, "gate: missing name")
	} else if s, ok := d.str(nameNode, "name"); ok {
		if gateNameRE.MatchString(s) {
			g.Name = s
		} else {
			d.errorf(nameNode, "name: %q must be lower-case letters, digits and dashes ([a-z0-9-]+)", s)
		}
	}
	if v := f.get("description"); v != nil {
		g.Description, _ = d.str(v, "description")
	}
	if v := f.get("if"); v != nil {
		g.If = d.conditions(v)
	}
	if v := f.get("controls"); v != nil {
		g.Controls = d.controls(v)
	}
	quorumNode := f.get("quorum")
	if quorumNode != nil {
		if q, ok := d.integer(quorumNode, "quorum"); ok {
			if q < 1 {
				d.errorf(quorumNode, "quorum: must be at least 1, got %d (leave it out to require every control)", q)
			} else {
				g.Quorum = q
			}
		}
	}
	var required []listItem
	if v := f.get("required"); v != nil {
		required = d.strings(v, "required")
		for _, r := range required {
			g.Required = append(g.Required, r.val)
		}
	}
	if v := f.get("window"); v != nil {
		if s, ok := d.str(v, "window"); ok {
			w, err := parseWindow(s)
			if err != nil {
				d.errorf(v, "window: %v", err)
			} else {
				g.Window = w
			}
		}
	}
	if v := f.get("block_on_changes_requested"); v != nil {
		if b, ok := d.boolean(v, "block_on_changes_requested"); ok {
			g.BlockOnChangesRequested = b
		}
	}
	if v := f.get("override"); v != nil {
		g.Override = d.override(v)
	}
	if v := f.get("pushers"); v != nil {
		if s, ok := d.str(v, "pushers"); ok {
			switch PusherRule(s) {
			case PushersAll, PushersHead:
				g.Pushers = PusherRule(s)
			default:
				d.errorf(v, "pushers: want %q or %q, got %q", PushersAll, PushersHead, s)
			}
		}
	}
	if v := f.get("request_reviews"); v != nil {
		g.RequestReviews = d.requestReviews(v)
	}
	if v := f.get("sign"); v != nil {
		if s, ok := d.str(v, "sign"); ok {
			switch SignRule(s) {
			case SignAction, SignAlways:
				g.Sign = SignRule(s)
			default:
				d.errorf(v, "sign: want %q or %q, got %q", SignAction, SignAlways, s)
			}
		}
	}
	if v, set := f["then"]; set {
		g.Then = d.action(v)
	}
	d.checkRequired(&g, required)
	d.checkQuorum(&g, f)
	d.checkDeploymentGate(&g, f)
	return g, nameNode
}

// conditions decodes `if`.
func (d *policyDecoder) conditions(n *yaml.Node) Conditions {
	var c Conditions
	f, ok := d.mapping(n, "if", ifKeys)
	if !ok {
		return c
	}
	if v := f.get("base"); v != nil {
		for _, it := range d.strings(v, "if.base") {
			// path.Match validates the whole pattern against any name.
			if _, err := path.Match(it.val, ""); err != nil {
				d.errorf(it.node, "%s: bad glob %q: %v", it.what, it.val, err)
				continue
			}
			c.Base = append(c.Base, it.val)
		}
	}
	if v := f.get("paths"); v != nil {
		for _, it := range d.strings(v, "if.paths") {
			if _, err := codeowners.CompilePattern(it.val); err != nil {
				d.errorf(it.node, "%s: %v", it.what, err)
				continue
			}
			c.Paths = append(c.Paths, it.val)
		}
	}
	if v := f.get("labels"); v != nil {
		for _, it := range d.strings(v, "if.labels") {
			c.Labels = append(c.Labels, it.val)
		}
	}
	if v := f.get("environment"); v != nil {
		c.Environment = d.environments(v)
	}
	return c
}

// checkRequired checks that every required entry names a control: a team
// (which becomes a control even when it owns nothing) or an attestation.
func (d *policyDecoder) checkRequired(g *Gate, required []listItem) {
	attestations := map[string]bool{}
	for _, a := range g.Controls.Attestations {
		attestations[a.Name] = true
	}
	first := map[string]int{}
	for _, r := range required {
		key := r.val
		if strings.HasPrefix(r.val, "@") {
			if !policyOwnerRE.MatchString(r.val) {
				d.errorf(r.node, "%s: %q is not a team: want @org/team or @user", r.what, r.val)
				continue
			}
			key = strings.ToLower(r.val)
		} else if !attestations[r.val] && (g.Controls.Decision == nil || r.val != g.Controls.Decision.ID()) {
			d.errorf(r.node, "%s: unknown control %q: neither an attestation name in controls.attestations, the decision control (decision:OWNER/REPO/GATE) nor a team (@org/team, @user)", r.what, r.val)
			continue
		}
		if line, dup := first[key]; dup {
			d.errorf(r.node, "%s: %q is already required (line %d)", r.what, r.val, line)
			continue
		}
		first[key] = r.node.Line
	}
}

// checkQuorum checks, where the team controls are an explicit list, that
// the gate has controls and that the quorum does not exceed them. With
// `from: codeowners` the controls depend on the changed files, so the check
// waits for evaluation.
func (d *policyDecoder) checkQuorum(g *Gate, f keyValues) {
	if g.Controls.Teams.FromCodeowners {
		return
	}
	teams := map[string]bool{}
	for _, t := range g.Controls.Teams.From {
		teams[strings.ToLower(t)] = true
	}
	for _, r := range g.Required {
		if strings.HasPrefix(r, "@") {
			teams[strings.ToLower(r)] = true
		}
	}
	total := len(teams) + len(g.Controls.Attestations)
	if g.Controls.Decision != nil {
		total++
	}
	if total == 0 {
		// An explicit list means controls is set: the default is codeowners.
		if where := f["controls"]; where != nil {
			d.errorf(where, "controls: the gate has no controls: name teams in controls.teams.from or required, or add attestations")
		}
		return
	}
	if g.Quorum > total {
		d.errorf(f.get("quorum"), "quorum: %d is more than the %d %s of this gate (%s)", g.Quorum, total, pluralWord(total, "control", "controls"), describeControls(len(teams), len(g.Controls.Attestations), g.Controls.Decision != nil))
	}
}

func describeControls(teams, attestations int, decision bool) string {
	s := fmt.Sprintf("%d %s, %d %s", teams, pluralWord(teams, "team", "teams"), attestations, pluralWord(attestations, "attestation", "attestations"))
	if decision {
		s += ", 1 decision"
	}
	return s
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// requestReviews decodes request_reviews: "teams" or "off" (a bare off is
// a string in YAML 1.2; true and false are refused as not strings).
func (d *policyDecoder) requestReviews(n *yaml.Node) RequestReviews {
	s, ok := d.str(n, "request_reviews")
	if !ok {
		return RequestReviewsOff
	}
	switch RequestReviews(s) {
	case RequestReviewsTeams, RequestReviewsOff:
		return RequestReviews(s)
	}
	d.errorf(n, "request_reviews: want %q or %q, got %q", RequestReviewsTeams, RequestReviewsOff, s)
	return RequestReviewsOff
}
