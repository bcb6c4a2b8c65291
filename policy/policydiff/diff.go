package policydiff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// Aspect names the part of a gate a [Change] is about.
type Aspect string

// The aspects of a gate [Compare] looks at, in the order it reports them.
const (
	AspectGate             Aspect = "gate"
	AspectConditions       Aspect = "if"
	AspectControls         Aspect = "controls"
	AspectQuorum           Aspect = "quorum"
	AspectRequired         Aspect = "required"
	AspectWindow           Aspect = "window"
	AspectFresh            Aspect = "fresh"
	AspectChangesRequested Aspect = "block_on_changes_requested"
	AspectPushers          Aspect = "pushers"
	AspectOverride         Aspect = "override"
	AspectThen             Aspect = "then"
)

// Change is one difference in one gate.
type Change struct {
	Gate   string
	Aspect Aspect
	// Weakens is true when the change can let the gate open with less
	// consent, or make it apply to fewer pull requests.
	Weakens bool
	// Text says what changed, one line of Markdown-safe text.
	Text string
	// Line is the gate's line in the new file, in the old one for a
	// removed gate.
	Line int
}

// Side is one version of the rules.
type Side struct {
	// Policy is nil when there is none, or when it does not load.
	Policy *policy.Policy
	// Codeowners is nil when there is no CODEOWNERS file.
	Codeowners *codeowners.File
}

// Input is what [Compare] compares.
type Input struct {
	Old, New Side
	// CompareOwners asks for the ownership comparison (a CODEOWNERS file
	// changed); Files are then the repository's paths to compare on.
	CompareOwners bool
	Files         []string
	// FilesIncomplete, when not empty, says why Files is not every path
	// of the repository: the ownership comparison then cannot be trusted
	// and the report says so ([Report.OwnersUnknown]).
	FilesIncomplete string
}

// Report is the result of [Compare].
type Report struct {
	// Changes are the policy's changes, gate by gate: gates of the new
	// policy in file order, then removed gates in the old file's order.
	Changes []Change
	// Owners are the paths that lose owners, sorted by path.
	Owners []OwnerChange
	// OwnersCompared is how many paths the ownership comparison covered.
	OwnersCompared int
	// OwnersUnknown says why ownership could not be fully compared; the
	// report then counts as weakening (fail closed).
	OwnersUnknown string
}

// Weakens reports whether any change weakens a gate, or whether what
// happens to ownership is unknown.
func (r Report) Weakens() bool {
	if len(r.Owners) > 0 || r.OwnersUnknown != "" {
		return true
	}
	for _, c := range r.Changes {
		if c.Weakens {
			return true
		}
	}
	return false
}

// Weakened lists the gates with a weakening change, in report order.
func (r Report) Weakened() []string {
	var out []string
	for _, c := range r.Changes {
		if c.Weakens && !slices.Contains(out, c.Gate) {
			out = append(out, c.Gate)
		}
	}
	return out
}

// Compare reports what changes from in.Old to in.New.
func Compare(in Input) Report {
	var r Report
	r.Changes = comparePolicies(in.Old.Policy, in.New.Policy)
	if in.CompareOwners {
		r.Owners, r.OwnersCompared = compareOwners(in.Old.Codeowners, in.New.Codeowners, in.Files)
		r.OwnersUnknown = in.FilesIncomplete
	}
	return r
}

func gates(p *policy.Policy) []policy.Gate {
	if p == nil {
		return nil
	}
	return p.Gates
}

func findGate(p *policy.Policy, name string) *policy.Gate {
	gs := gates(p)
	for i := range gs {
		if gs[i].Name == name {
			return &gs[i]
		}
	}
	return nil
}

// comparePolicies lists the changes gate by gate, matched by name: a
// renamed gate is one removed and one added.
func comparePolicies(old, nu *policy.Policy) []Change {
	var out []Change
	ng := gates(nu)
	for i := range ng {
		g := &ng[i]
		o := findGate(old, g.Name)
		if o == nil {
			out = append(out, Change{Gate: g.Name, Aspect: AspectGate, Line: g.Line, Text: "gate added"})
			continue
		}
		d := gateDiff{old: o, new: g}
		d.compare()
		out = append(out, d.out...)
	}
	og := gates(old)
	for i := range og {
		if findGate(nu, og[i].Name) == nil {
			out = append(out, Change{Gate: og[i].Name, Aspect: AspectGate, Weakens: true, Line: og[i].Line,
				Text: "gate removed: the pull requests it covered are no longer gated by it"})
		}
	}
	return out
}

// gateDiff compares two versions of one gate.
type gateDiff struct {
	old, new *policy.Gate
	out      []Change
}

func (d *gateDiff) add(a Aspect, weakens bool, format string, args ...any) {
	d.out = append(d.out, Change{Gate: d.new.Name, Aspect: a, Weakens: weakens, Line: d.new.Line, Text: fmt.Sprintf(format, args...)})
}

func (d *gateDiff) compare() {
	d.conditions("base", d.old.If.Base, d.new.If.Base)
	d.conditions("paths", d.old.If.Paths, d.new.If.Paths)
	d.conditions("labels", d.old.If.Labels, d.new.If.Labels)
	d.controls()
	d.quorum()
	d.required()
	d.window()
	if of, nf := fresh(d.old), fresh(d.new); of != nf {
		d.add(AspectFresh, of == policy.FreshHead, "controls.teams.fresh: %s → %s", of, nf)
	}
	if o, n := d.old.BlockOnChangesRequested, d.new.BlockOnChangesRequested; o != n {
		d.add(AspectChangesRequested, o, "block_on_changes_requested: %t → %t", o, n)
	}
	if o, n := pushers(d.old), pushers(d.new); o != n {
		d.add(AspectPushers, o == policy.PushersAll, "pushers: %s → %s", o, n)
	}
	d.override()
	if o, n := thenString(d.old.Then), thenString(d.new.Then); o != n {
		// What Z does is not consent: reported, not weaker.
		d.add(AspectThen, false, "then: %s → %s", o, n)
	}
}

// conditions compares one if list. A gate applies when every given list
// holds, a list holding when any entry matches; an empty list always
// holds. So the new list applies at least as often only when it is empty
// or keeps every old entry.
func (d *gateDiff) conditions(name string, old, nu []string) {
	if sameSet(old, nu) {
		return
	}
	widens := len(nu) == 0 || (len(old) > 0 && subset(old, nu))
	verb := "narrowed"
	if widens {
		verb = "widened"
	}
	d.add(AspectConditions, !widens, "if.%s %s: %s → %s", name, verb, listString(old, "any"), listString(nu, "any"))
}

// controls compares the team source and the control set. Whether a
// control counts toward consent depends on the quorum: under "all" every
// control is needed, so removing one weakens; under N of them, adding one
// is one more way to reach N, so adding weakens, unless it is required.
func (d *gateDiff) controls() {
	ot, nt := d.old.Controls.Teams, d.new.Controls.Teams
	if ot.FromCodeowners != nt.FromCodeowners {
		d.add(AspectControls, true, "controls.teams.from: %s → %s", teamSource(ot), teamSource(nt))
	}
	oc, nc := controlIDs(d.old), controlIDs(d.new)
	for _, id := range oc {
		if slices.Contains(nc, id) {
			continue
		}
		needed := d.old.Quorum == 0 || slices.Contains(d.old.Required, id)
		if needed {
			d.add(AspectControls, true, "control %s removed: its consent is no longer needed", id)
		} else {
			d.add(AspectControls, false, "control %s removed: one way fewer to reach the quorum", id)
		}
	}
	for _, id := range nc {
		if slices.Contains(oc, id) {
			continue
		}
		needed := d.new.Quorum == 0 || slices.Contains(d.new.Required, id)
		if needed {
			d.add(AspectControls, false, "control %s added, and needed", id)
		} else {
			d.add(AspectControls, true, "control %s added: one more way to reach the quorum of %d", id, d.new.Quorum)
		}
	}
	for i := range d.new.Controls.Attestations {
		na := &d.new.Controls.Attestations[i]
		for j := range d.old.Controls.Attestations {
			oa := &d.old.Controls.Attestations[j]
			if oa.Name == na.Name && attestationString(oa) != attestationString(na) {
				// Regular expressions cannot be compared for inclusion:
				// any change of who may sign is weaker until shown not.
				d.add(AspectControls, true, "attestation %s: who may sign or what is signed changed", na.Name)
			}
		}
	}
	if od, nd := d.old.Controls.Decision, d.new.Controls.Decision; od != nil && nd != nil && od.ID() == nd.ID() && od.Key != nd.Key {
		// Another key file trusts whoever holds its key instead.
		d.add(AspectControls, true, "decision %s: key %s → %s", nd.ID(), od.Key, nd.Key)
	}
}

// quorum compares the number of controls that must hold; 0 is "all",
// more than any number.
func (d *gateDiff) quorum() {
	o, n := d.old.Quorum, d.new.Quorum
	if o == n {
		return
	}
	lowered := n != 0 && (o == 0 || n < o)
	verb := "raised"
	if lowered {
		verb = "lowered"
	}
	d.add(AspectQuorum, lowered, "quorum %s: %s → %s", verb, quorumString(o), quorumString(n))
}

func (d *gateDiff) required() {
	o, n := d.old.Required, d.new.Required
	var removed, added []string
	for _, id := range o {
		if !slices.Contains(n, id) {
			removed = append(removed, id)
		}
	}
	for _, id := range n {
		if !slices.Contains(o, id) {
			added = append(added, id)
		}
	}
	if len(removed) > 0 {
		d.add(AspectRequired, true, "required lowered: %s no longer required", strings.Join(removed, ", "))
	}
	if len(added) > 0 {
		d.add(AspectRequired, false, "required raised: %s now required", strings.Join(added, ", "))
	}
}

func (d *gateDiff) window() {
	o, n := window(d.old), window(d.new)
	if o == n {
		return
	}
	longer := n > o
	verb := "shortened"
	if longer {
		verb = "lengthened"
	}
	// A longer window lets older approvals still count.
	d.add(AspectWindow, longer, "window %s: %s → %s", verb, durationString(o), durationString(n))
}

func (d *gateDiff) override() {
	o, n := d.old.Override, d.new.Override
	switch {
	case o == nil && n == nil:
		return
	case o == nil:
		d.add(AspectOverride, true, "override added: %d of %s can open the gate without the controls", n.Approvals, strings.Join(n.Teams, ", "))
		return
	case n == nil:
		d.add(AspectOverride, false, "override removed")
		return
	}
	if o.Approvals != n.Approvals {
		lowered := n.Approvals < o.Approvals
		verb := "raised"
		if lowered {
			verb = "lowered"
		}
		d.add(AspectOverride, lowered, "override.approvals %s: %d → %d", verb, o.Approvals, n.Approvals)
	}
	for _, t := range n.Teams {
		if !slices.Contains(o.Teams, t) {
			d.add(AspectOverride, true, "override.teams: %s may now break the glass", t)
		}
	}
	for _, t := range o.Teams {
		if !slices.Contains(n.Teams, t) {
			d.add(AspectOverride, false, "override.teams: %s may no longer break the glass", t)
		}
	}
}

// controlIDs are the ids of a gate's explicit controls: teams listed in
// controls.teams.from and attestation names. Owners from CODEOWNERS are
// not listed here: they come and go with the ownership comparison.
func controlIDs(g *policy.Gate) []string {
	var out []string
	if !g.Controls.Teams.FromCodeowners {
		out = append(out, g.Controls.Teams.From...)
	}
	for _, a := range g.Controls.Attestations {
		out = append(out, a.Name)
	}
	if g.Controls.Decision != nil {
		out = append(out, g.Controls.Decision.ID())
	}
	return out
}

func fresh(g *policy.Gate) policy.Freshness {
	if g.Controls.Teams.Fresh == "" {
		return policy.FreshHead
	}
	return g.Controls.Teams.Fresh
}

func pushers(g *policy.Gate) policy.PusherRule {
	if g.Pushers == "" {
		return policy.PushersAll
	}
	return g.Pushers
}

func window(g *policy.Gate) time.Duration {
	if g.Window <= 0 {
		return policy.DefaultWindow
	}
	return g.Window
}

func teamSource(t policy.TeamControls) string {
	if t.FromCodeowners {
		return "codeowners"
	}
	return listString(t.From, "none")
}

func quorumString(q int) string {
	if q == 0 {
		return "all"
	}
	return strconv.Itoa(q)
}

// durationString prints a window as a policy writes it ("24h", "7d").
func durationString(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= 2*day && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func attestationString(a *policy.AttestationControl) string {
	return strings.Join([]string{a.PredicateType, a.Issuer, a.Identity, a.SourceRepository, a.SignerWorkflow, a.RunnerEnvironment}, "\x00")
}

// thenString describes Z, with everything that defines it.
func thenString(a policy.Action) string {
	switch {
	case a.Merge != nil:
		return "merge (" + a.Merge.Method + ")"
	case a.Dispatch != nil:
		return fmt.Sprintf("dispatch %s on %s with %s", a.Dispatch.Workflow, a.Dispatch.Ref, mapString(a.Dispatch.Inputs))
	case a.RepositoryDispatch != nil:
		return fmt.Sprintf("repository_dispatch %s with %s", a.RepositoryDispatch.EventType, mapString(a.RepositoryDispatch.ClientPayload))
	}
	return "none"
}

func mapString(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + strconv.Quote(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func listString(l []string, empty string) string {
	if len(l) == 0 {
		return empty
	}
	return "[" + strings.Join(l, ", ") + "]"
}

func sameSet(a, b []string) bool { return subset(a, b) && subset(b, a) }

// subset reports whether every entry of a is in b.
func subset(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}
