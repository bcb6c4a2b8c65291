package policy

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// gateEval holds one gate's evaluation as it is built.
type gateEval struct {
	g      *Gate
	ix     *factsIndex
	now    time.Time
	window time.Duration

	teams    teamSet
	verdicts []reviewVerdict
	assigned []*approval // per team control
	// undefined are required ids that name no control of the gate.
	undefined []string
	// unsafe are facts a control needed that could not be gathered.
	unsafe []string

	controls []ControlResult
	held     int
	// missingRequired are the required controls that do not hold.
	missingRequired []string
	notes           []string
	expires         *time.Time
}

// gateWindow is the gate's window, DefaultWindow when unset.
func gateWindow(g *Gate) time.Duration {
	if g.Window <= 0 {
		return DefaultWindow
	}
	return g.Window
}

// evaluateGate decides one gate in the order of the semantics: conditions
// (skipped), draft (pending), facts that could not be gathered (failure),
// override (success), changes requested (failure), too few controls
// (failure), quorum with every required control (success), else pending.
func evaluateGate(g *Gate, ix *factsIndex, now time.Time) GateDecision {
	gd := GateDecision{
		Name:     g.Name,
		Check:    g.CheckName(),
		Controls: []ControlResult{},
		Missing:  []string{},
		Action:   g.Then.Kind(),
		Quorum:   g.Quorum,
	}
	cond := checkConditions(g, ix)
	if cond.failure != "" {
		gd.State = StateFailure
		gd.Summary = "cannot decide safely: " + cond.failure
		gd.Missing = []string{cond.failure}
		return gd
	}
	if !cond.holds {
		gd.State = StateSkipped
		gd.Summary = "skipped: " + cond.why
		return gd
	}

	ge := &gateEval{g: g, ix: ix, now: now, window: gateWindow(g)}
	ge.build(cond.files)
	gd.Controls = ge.controls
	gd.Quorum = ge.quorum()
	gd.ExpiresAt = ge.expires
	gd.Notes = ge.notes
	ge.decide(&gd)
	return gd
}

// build computes every control of the gate and whether it holds.
func (ge *gateEval) build(files []string) {
	g, ix := ge.g, ge.ix
	ge.controls = []ControlResult{}
	ge.teams = gateTeams(g, ix, files)
	ge.notes = append(ge.notes, ge.teams.notes...)
	ge.verdicts = judgeReviews(ix, g, ge.window, ge.now)
	for _, tc := range ge.teams.controls {
		for _, v := range ge.verdicts {
			if v.counted && tc.member(v.lr.login) {
				tc.approvers = append(tc.approvers, v.approval())
			}
		}
		sort.SliceStable(tc.approvers, func(a, b int) bool {
			x, y := tc.approvers[a], tc.approvers[b]
			if !x.at.Equal(y.at) {
				return x.at.After(y.at)
			}
			return x.key < y.key
		})
	}
	ge.assigned = matchTeams(ge.teams.controls)
	for i, tc := range ge.teams.controls {
		cr := ge.teamResult(i, tc)
		ge.record(cr, tc.required, tc.id)
	}
	required := map[string]bool{}
	for _, id := range g.Required {
		required[strings.TrimSpace(id)] = true
	}
	for i := range g.Controls.Attestations {
		c := &g.Controls.Attestations[i]
		cr := judgeAttestation(c, ix, ge.window, ge.now)
		cr.Required = required[c.Name]
		ge.record(cr, cr.Required, c.Name)
	}
	if c := g.Controls.Decision; c != nil {
		cr, unsafe := judgeDecision(c, ix, ge.window, ge.now)
		ge.unsafe = append(ge.unsafe, unsafe...)
		ge.record(cr, required[c.ID()], c.ID())
	}
	ge.undefined = undefinedRequired(g, ge.teams.controls)
	ge.reviewNotes()
}

// record appends a control result and tracks what it contributes.
func (ge *gateEval) record(cr ControlResult, required bool, id string) {
	cr.Required = required
	ge.controls = append(ge.controls, cr)
	if !cr.Held {
		if required {
			ge.missingRequired = append(ge.missingRequired, id)
		}
		return
	}
	ge.held++
	if cr.At != nil {
		exp := cr.At.Add(ge.window)
		if ge.expires == nil || exp.Before(*ge.expires) {
			ge.expires = &exp
		}
	}
}

// quorum resolves the gate's quorum: 0 means every control.
func (ge *gateEval) quorum() int {
	if ge.g.Quorum > 0 {
		return ge.g.Quorum
	}
	return len(ge.controls)
}

// undefinedRequired lists required ids that are neither a team control nor
// an attestation control of g; nothing can satisfy them.
func undefinedRequired(g *Gate, teams []*teamControl) []string {
	var out []string
	for _, id := range g.Required {
		id = strings.TrimSpace(id)
		if strings.HasPrefix(id, "@") {
			if _, ok := resolveTeam(&factsIndex{teams: map[string][]string{}}, id); !ok {
				out = append(out, id)
			}
			continue
		}
		found := g.Controls.Decision != nil && g.Controls.Decision.ID() == id
		for _, a := range g.Controls.Attestations {
			if a.Name == id {
				found = true
				break
			}
		}
		if !found {
			out = append(out, id)
		}
	}
	return out
}

// decide applies the outcome order to a gate whose conditions hold.
func (ge *gateEval) decide(gd *GateDecision) {
	g, ix := ge.g, ge.ix
	if ix.f.PullRequest.Draft {
		gd.State = StatePending
		gd.Summary = "the pull request is a draft"
		gd.Missing = append([]string{"mark the pull request ready for review"}, ge.missing(gd.Quorum)...)
		return
	}
	var unsafe []string
	for _, u := range ix.f.Unavailable {
		unsafe = append(unsafe, "could not gather "+u)
	}
	if ix.f.PullRequest.Author == "" {
		unsafe = append(unsafe, "the pull request's author is unknown, so self-approval cannot be ruled out")
	}
	unsafe = append(unsafe, ge.teams.failures...)
	unsafe = append(unsafe, ge.unsafe...)
	if len(unsafe) > 0 {
		gd.State = StateFailure
		gd.Summary = "cannot decide safely: " + strings.Join(unsafe, "; ")
		gd.Missing = unsafe
		return
	}
	if g.Override != nil {
		ov := judgeOverride(g.Override, g.Pushers, ix, ge.window, ge.now)
		gd.Notes = append(gd.Notes, ov.notes...)
		if ov.result != nil {
			gd.State = StateSuccess
			gd.Override = ov.result
			gd.Summary = fmt.Sprintf("break-glass override by %s: %s",
				strings.Join(ov.result.By, ", "), strings.Join(ov.result.Reasons, "; "))
			exp := ov.expires
			if gd.ExpiresAt == nil || exp.Before(*gd.ExpiresAt) {
				gd.ExpiresAt = &exp
			}
			return
		}
		// From here on the gate does not open; the override stays a way
		// to open it.
		defer func() { gd.Missing = append(gd.Missing, overrideMissing(ov)) }()
	}
	if g.BlockOnChangesRequested {
		if blockers := ge.changesRequested(); len(blockers) > 0 {
			gd.State = StateFailure
			gd.Summary = "changes requested by " + strings.Join(blockers, ", ")
			for _, b := range blockers {
				gd.Missing = append(gd.Missing, fmt.Sprintf("%s: approve, or have the changes-requested review dismissed", loginOf(b)))
			}
			return
		}
	}
	if len(ge.undefined) > 0 {
		gd.State = StateFailure
		gd.Summary = "required controls are not defined by the gate: " + strings.Join(ge.undefined, ", ")
		gd.Missing = []string{"define or remove the required controls " + strings.Join(ge.undefined, ", ")}
		return
	}
	n := len(ge.controls)
	if n == 0 {
		gd.State = StateFailure
		gd.Summary = "the gate has no controls (no owned changed files, no teams, no attestations), so it can never pass"
		gd.Missing = []string{"a control: an owning team, an explicit team or an attestation"}
		return
	}
	if n < gd.Quorum {
		gd.State = StateFailure
		gd.Summary = fmt.Sprintf("only %s exist but the quorum is %d: %s",
			countNoun(n, "control", "controls"), gd.Quorum, strings.Join(ge.controlIDs(), ", "))
		gd.Missing = []string{fmt.Sprintf("%d more distinct %s (the change touches too few owners)", gd.Quorum-n, pluralWord(gd.Quorum-n, "control", "controls"))}
		return
	}
	if ge.held >= gd.Quorum && len(ge.missingRequired) == 0 {
		gd.State = StateSuccess
		gd.Summary = fmt.Sprintf("%d of %s (quorum %d): %s",
			ge.held, ControlsHold(n), gd.Quorum, strings.Join(ge.heldIDs(), ", "))
		return
	}
	gd.State = StatePending
	gd.Summary = fmt.Sprintf("%d of %s; the quorum is %d", ge.held, ControlsHold(n), gd.Quorum)
	if len(ge.missingRequired) > 0 {
		gd.Summary += "; required: " + strings.Join(ge.missingRequired, ", ")
	}
	gd.Missing = ge.missing(gd.Quorum)
	ge.requestReviews(gd)
}

// changesRequested lists members of the gate's teams (not the author, not
// bots) whose latest review requests changes, on any commit and of any age.
func (ge *gateEval) changesRequested() []string {
	var out []string
	for _, v := range ge.verdicts {
		lr := v.lr
		if lr.state != reviewChangesRequested || ge.ix.isAuthor(lr.login) || ge.ix.isBot(lr.login) {
			continue
		}
		for _, tc := range ge.teams.controls {
			if tc.member(lr.login) {
				out = append(out, fmt.Sprintf("%s (%s, on %s at %s)", lr.login, tc.id, abbrevSHA(lr.commit), rfc3339(lr.at)))
				break
			}
		}
	}
	return out
}

// loginOf takes the login back out of a changesRequested entry.
func loginOf(entry string) string {
	login, _, _ := strings.Cut(entry, " ")
	return login
}

func (ge *gateEval) controlIDs() []string {
	ids := make([]string, len(ge.controls))
	for i, c := range ge.controls {
		ids[i] = c.ID
	}
	return ids
}

func (ge *gateEval) heldIDs() []string {
	var ids []string
	for _, c := range ge.controls {
		if c.Held {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// ControlsHold says "N controls hold", or "1 control holds": the end of
// "2 of 3 controls hold" in summaries and check-run titles.
func ControlsHold(n int) string {
	if n == 1 {
		return "1 control holds"
	}
	return fmt.Sprintf("%d controls hold", n)
}
