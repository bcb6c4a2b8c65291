package policy

import (
	"sort"
	"time"
)

// matchTeams decides which team controls hold: a maximum bipartite
// matching between team controls and counted approvers, so that one person
// counts for one team only (p1 in {A,B} and p2 in {A} hold both A and B).
//
// Required teams are matched first and the others then augment the
// matching. An augmenting path never unmatches a team, so the result is a
// maximum matching that also covers as many required teams as any matching
// can. Among the matchings with that coverage and size, it picks one whose
// oldest approval is as fresh as possible, so the decision expires as late
// as possible; the rest of the ties are broken by sorted ids and fresher
// approvals, which keeps the result deterministic.
//
// The result has one entry per team: the approval assigned to it, or nil.
func matchTeams(teams []*teamControl) []*approval {
	m := &teamMatcher{teams: teams}
	m.order = make([]int, len(teams))
	for i := range m.order {
		m.order[i] = i
	}
	sort.SliceStable(m.order, func(a, b int) bool {
		ta, tb := teams[m.order[a]], teams[m.order[b]]
		if ta.required != tb.required {
			return ta.required
		}
		return ta.key < tb.key
	})

	req, total := m.run(time.Time{})
	if total == 0 {
		return make([]*approval, len(teams))
	}
	// Binary search for the latest cut-off that keeps both numbers: the
	// numbers only shrink as the cut-off rises and drops edges.
	times := m.approvalTimes()
	lo, hi := 0, len(times)-1 // times[lo] always keeps them
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if r, t := m.run(times[mid]); r == req && t == total {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	m.run(times[lo])
	out := make([]*approval, len(teams))
	for ti, a := range m.teamTo {
		if a != nil {
			cp := *a
			out[ti] = &cp
		}
	}
	return out
}

// teamMatcher runs Kuhn's augmenting-path algorithm; the graphs are small (a
// gate has a handful of teams, a PR at most a few hundred reviewers).
type teamMatcher struct {
	teams []*teamControl
	order []int
	// cut drops approvals older than it.
	cut      time.Time
	teamTo   []*approval
	personTo map[string]int // approver key -> team index
	visited  map[string]bool
}

// run computes a matching using approvals at or after cut and returns how
// many required teams and how many teams it covers.
func (m *teamMatcher) run(cut time.Time) (required, total int) {
	m.cut = cut
	m.teamTo = make([]*approval, len(m.teams))
	m.personTo = map[string]int{}
	for _, ti := range m.order {
		m.visited = map[string]bool{}
		if m.augment(ti) {
			total++
			if m.teams[ti].required {
				required++
			}
		}
	}
	return required, total
}

// augment looks for an augmenting path from team ti.
func (m *teamMatcher) augment(ti int) bool {
	for i := range m.teams[ti].approvers {
		a := &m.teams[ti].approvers[i]
		if a.at.Before(m.cut) || m.visited[a.key] {
			continue
		}
		m.visited[a.key] = true
		other, taken := m.personTo[a.key]
		if !taken || m.augment(other) {
			m.personTo[a.key] = ti
			m.teamTo[ti] = a
			return true
		}
	}
	return false
}

// approvalTimes lists the distinct approval times, oldest first.
func (m *teamMatcher) approvalTimes() []time.Time {
	var ts []time.Time
	for _, t := range m.teams {
		for _, a := range t.approvers {
			ts = append(ts, a.at)
		}
	}
	sort.Slice(ts, func(a, b int) bool { return ts[a].Before(ts[b]) })
	out := ts[:0]
	for i, t := range ts {
		if i == 0 || !t.Equal(out[len(out)-1]) {
			out = append(out, t)
		}
	}
	return out
}
