package policy

import (
	"fmt"
	"strings"
)

// teamResult explains team control i: who approved at which commit and
// when, or why it does not hold, with the members' reviews that did not
// count as notes.
func (ge *gateEval) teamResult(i int, tc *teamControl) ControlResult {
	cr := ControlResult{ID: tc.id, Kind: ControlTeam}
	for _, v := range ge.verdicts {
		if !v.counted && tc.member(v.lr.login) {
			cr.Notes = append(cr.Notes, v.why)
		}
	}
	if a := ge.assigned[i]; a != nil {
		at := a.at
		cr.Held, cr.By, cr.At, cr.Commit = true, a.login, &at, a.commit
		cr.Reason = fmt.Sprintf("%s approved %s at %s", a.login, abbrevSHA(a.commit), rfc3339(a.at))
		return cr
	}
	// The matching is maximum, so every counted approver of an unmatched
	// team is matched to another team.
	var elsewhere []string
	for _, a := range tc.approvers {
		if other := ge.teamOf(a.key); other != nil {
			elsewhere = append(elsewhere, fmt.Sprintf("%s (counted for %s)", a.login, other.id))
		}
	}
	cr.Candidates = ge.candidates(tc)
	switch {
	case !tc.known:
		cr.Reason = fmt.Sprintf("%s has no known active members, so it cannot hold", tc.id)
	case len(elsewhere) > 0:
		cr.Reason = "approved only by " + strings.Join(elsewhere, ", ") + "; one person counts for one team only"
	case len(cr.Candidates) == 0:
		cr.Reason = "no member other than the author, a pusher or a bot can approve"
	default:
		cr.Reason = "no counted approval from a member"
	}
	if len(cr.Notes) > 0 {
		cr.Reason += ". Not counted: " + strings.Join(cr.Notes, "; ")
	}
	return cr
}

// teamOf returns the team control the matching assigned the approver to.
func (ge *gateEval) teamOf(key string) *teamControl {
	for i, a := range ge.assigned {
		if a != nil && a.key == key {
			return ge.teams.controls[i]
		}
	}
	return nil
}

// candidates are the active members of tc who could make it hold: not the
// author, not a pusher, not bots, not already counted for another team.
func (ge *gateEval) candidates(tc *teamControl) []string {
	var out []string
	for _, m := range tc.members {
		if ge.ix.isAuthor(m) || ge.ix.isBot(m) || ge.ix.pusherWhy(m, ge.g.Pushers) != "" || ge.teamOf(strings.ToLower(m)) != nil {
			continue
		}
		out = append(out, m)
	}
	return out
}

// reviewNotes records, at the gate level, approvals by people who belong
// to none of the gate's teams, and why they did not count.
func (ge *gateEval) reviewNotes() {
	for _, v := range ge.verdicts {
		if v.lr.state != reviewApproved {
			continue
		}
		inTeam := false
		for _, tc := range ge.teams.controls {
			if tc.member(v.lr.login) {
				inTeam = true
				break
			}
		}
		switch {
		case inTeam:
		case v.counted:
			ge.notes = append(ge.notes, fmt.Sprintf("%s approved but is a member of none of the gate's teams", v.lr.login))
		default:
			ge.notes = append(ge.notes, v.why)
		}
	}
}

// missing says what would open the gate: how many more controls, and per
// control that could help, what it needs. Required controls always
// appear; the others only while the quorum is short.
func (ge *gateEval) missing(quorum int) []string {
	out := []string{}
	need := quorum - ge.held
	if need > 0 {
		noun := "controls"
		if need == 1 {
			noun = "control"
		}
		out = append(out, fmt.Sprintf("%d more %s (quorum %d of %d)", need, noun, quorum, len(ge.controls)))
	}
	nTeams := len(ge.teams.controls)
	for ci, cr := range ge.controls {
		if cr.Held || (!cr.Required && need <= 0) {
			continue
		}
		id := cr.ID
		if cr.Required {
			id += " (required)"
		}
		if ci >= nTeams+len(ge.g.Controls.Attestations) {
			out = append(out, decisionMissing(id, ge.g.Controls.Decision, ge.ix.headSHA()))
			continue
		}
		if ci >= nTeams {
			out = append(out, attestationMissing(id, &ge.g.Controls.Attestations[ci-nTeams], ge.ix.headSHA()))
			continue
		}
		tc := ge.teams.controls[ci]
		switch {
		case !tc.known:
			out = append(out, fmt.Sprintf("%s: no known active members; add members or fix the team name", id))
		case len(cr.Candidates) == 0:
			out = append(out, fmt.Sprintf("%s: no eligible approver (members are the author, pushers, bots or already counted)", id))
		default:
			out = append(out, fmt.Sprintf("%s: approval from one of %s", id, strings.Join(cr.Candidates, ", ")))
		}
	}
	return out
}
