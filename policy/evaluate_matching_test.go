package policy

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// matchScore is what matchTeams optimises, in order: required teams
// covered, teams covered, then the oldest counted approval as fresh as
// possible.
type matchScore struct {
	required, total int
	oldest          time.Time
}

func (s matchScore) better(o matchScore) bool {
	if s.required != o.required {
		return s.required > o.required
	}
	if s.total != o.total {
		return s.total > o.total
	}
	return s.oldest.After(o.oldest)
}

func scoreOf(teams []*teamControl, assigned []*approval) matchScore {
	var s matchScore
	for i, a := range assigned {
		if a == nil {
			continue
		}
		s.total++
		if teams[i].required {
			s.required++
		}
		if s.oldest.IsZero() || a.at.Before(s.oldest) {
			s.oldest = a.at
		}
	}
	return s
}

// bruteForceMatch tries every assignment of approvers to teams.
func bruteForceMatch(teams []*teamControl) matchScore {
	var best matchScore
	assigned := make([]*approval, len(teams))
	used := map[string]bool{}
	var try func(i int)
	try = func(i int) {
		if i == len(teams) {
			if s := scoreOf(teams, assigned); s.better(best) {
				best = s
			}
			return
		}
		assigned[i] = nil
		try(i + 1)
		for j := range teams[i].approvers {
			a := &teams[i].approvers[j]
			if used[a.key] {
				continue
			}
			used[a.key] = true
			assigned[i] = a
			try(i + 1)
			used[a.key] = false
			assigned[i] = nil
		}
	}
	try(0)
	return best
}

// TestMatchTeamsAgainstBruteForce checks on random small graphs that the
// matching is maximum, covers as many required teams as possible, counts
// each person once and keeps the oldest approval as fresh as possible.
func TestMatchTeamsAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for n := range 500 {
		nTeams, nPeople := 1+rng.IntN(5), 1+rng.IntN(5)
		at := make([]time.Time, nPeople)
		for p := range at {
			at[p] = base.Add(time.Duration(rng.IntN(6)) * time.Hour)
		}
		teams := make([]*teamControl, nTeams)
		for i := range teams {
			tc := &teamControl{id: fmt.Sprintf("@acme/t%d", i), key: fmt.Sprintf("@acme/t%d", i), required: rng.IntN(3) == 0}
			for p := range nPeople {
				if rng.IntN(2) == 0 {
					tc.approvers = append(tc.approvers, approval{login: fmt.Sprintf("p%d", p), key: fmt.Sprintf("p%d", p), at: at[p]})
				}
			}
			teams[i] = tc
		}
		got := matchTeams(teams)
		seen := map[string]bool{}
		for i, a := range got {
			if a == nil {
				continue
			}
			if seen[a.key] {
				t.Fatalf("graph %d: %s counted twice", n, a.key)
			}
			seen[a.key] = true
			member := false
			for _, c := range teams[i].approvers {
				member = member || c.key == a.key
			}
			if !member {
				t.Fatalf("graph %d: %s assigned to %s without approving for it", n, a.key, teams[i].id)
			}
		}
		gotScore, want := scoreOf(teams, got), bruteForceMatch(teams)
		if gotScore != want {
			t.Fatalf("graph %d: matchTeams score %+v, brute force %+v", n, gotScore, want)
		}
	}
}
