package policy

import (
	"fmt"
	"sort"
	"strings"
)

// teamControl is one team control of a gate: an "@org/team" or an "@user"
// (a team of one).
type teamControl struct {
	id       string // as written: "@acme/sre", "@bob"
	key      string // lower case, for comparisons
	required bool
	user     bool
	// known is false for a team absent from the facts: it has no members
	// and cannot hold.
	known   bool
	members []string
	isMem   map[string]bool // lower-case login -> member
	// approvers are the counted approvals by members, freshest first.
	approvers []approval
}

// member reports whether login is an active member of the team.
func (tc *teamControl) member(login string) bool { return tc.isMem[strings.ToLower(login)] }

// teamSet is the team controls of one gate and what was learnt building it.
type teamSet struct {
	controls []*teamControl
	// notes are owners that could not be counted (email owners) and files
	// without owners.
	notes []string
	// failures are reasons the gate must fail closed.
	failures []string
}

// resolveTeam turns an owner id into a team control. A "@user" is a team
// of one whose only member is the user; "@org/team" takes its members from
// the facts. ok is false for ids that are neither.
func resolveTeam(ix *factsIndex, id string) (tc *teamControl, ok bool) {
	name, found := strings.CutPrefix(strings.TrimSpace(id), "@")
	if !found || name == "" || strings.ContainsAny(name, " \t@") {
		return nil, false
	}
	tc = &teamControl{id: "@" + name, key: "@" + strings.ToLower(name), isMem: map[string]bool{}}
	if strings.Contains(name, "/") {
		members, known := ix.teams[strings.ToLower(name)]
		tc.known = known
		tc.members = append([]string(nil), members...)
	} else {
		tc.user = true
		tc.known = true
		tc.members = []string{name}
	}
	sort.Slice(tc.members, func(a, b int) bool {
		return strings.ToLower(tc.members[a]) < strings.ToLower(tc.members[b])
	})
	for _, m := range tc.members {
		tc.isMem[strings.ToLower(m)] = true
	}
	return tc, true
}

// gateTeams builds the team controls of g: the CODEOWNERS owners of files
// (the changed files matching if.paths) or the explicit From list, plus
// every team named in Required.
func gateTeams(g *Gate, ix *factsIndex, files []string) teamSet {
	var ts teamSet
	seen := map[string]*teamControl{}
	add := func(id string) *teamControl {
		tc, ok := resolveTeam(ix, id)
		if !ok {
			ts.notes = append(ts.notes, fmt.Sprintf("owner %q is neither @user nor @org/team; not counted", id))
			return nil
		}
		if old, dup := seen[tc.key]; dup {
			return old
		}
		seen[tc.key] = tc
		ts.controls = append(ts.controls, tc)
		return tc
	}

	if g.Controls.Teams.FromCodeowners {
		ts.fromCodeowners(ix, files, add)
	} else {
		for _, id := range g.Controls.Teams.From {
			add(id)
		}
	}
	for _, id := range g.Required {
		if !strings.HasPrefix(strings.TrimSpace(id), "@") {
			continue // an attestation control
		}
		if tc := add(id); tc != nil {
			tc.required = true
		}
	}
	return ts
}

// fromCodeowners adds every owner of files, each owner its own control
// (unlike GitHub, where any one owner suffices).
func (ts *teamSet) fromCodeowners(ix *factsIndex, files []string, add func(string) *teamControl) {
	co := ix.f.Codeowners
	if ix.f.PullRequest.ChangedFilesTruncated {
		ts.failures = append(ts.failures, "the changed-file list is truncated (GitHub lists at most 3,000 files), so the CODEOWNERS owners are unknown")
	}
	if len(files) == 0 {
		return
	}
	if co == nil {
		ts.failures = append(ts.failures, "the gate takes its teams from CODEOWNERS, but the base branch has no CODEOWNERS file")
		return
	}
	if len(co.Problems) > 0 {
		ts.failures = append(ts.failures, fmt.Sprintf("CODEOWNERS has %s (first: %s); fix it on the base branch",
			countNoun(len(co.Problems), "invalid line", "invalid lines"), co.Problems[0]))
	}
	owners := map[string]string{} // lower-case id -> id as first written
	emails := map[string]bool{}
	var unowned []string
	seenRule := map[int]bool{}
	for _, file := range files {
		r, ok := co.Rule(file)
		if !ok || len(r.Owners) == 0 {
			unowned = append(unowned, file)
			continue
		}
		// Many files share a rule; its owners need adding once.
		if seenRule[r.Line] {
			continue
		}
		seenRule[r.Line] = true
		for _, o := range r.Owners {
			if !strings.HasPrefix(o, "@") {
				emails[o] = true
				continue
			}
			k := strings.ToLower(o)
			if _, dup := owners[k]; !dup {
				owners[k] = o
			}
		}
	}
	keys := make([]string, 0, len(owners))
	for k := range owners {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(owners[k])
	}
	emailList := make([]string, 0, len(emails))
	for e := range emails {
		emailList = append(emailList, e)
	}
	sort.Strings(emailList)
	for _, e := range emailList {
		ts.notes = append(ts.notes, fmt.Sprintf("CODEOWNERS owner %s is an email address, which cannot be resolved to a login; not counted", e))
	}
	if len(unowned) > 0 {
		ts.notes = append(ts.notes, fmt.Sprintf("%s no CODEOWNERS owner (first: %s)",
			countNoun(len(unowned), "changed file has", "changed files have"), unowned[0]))
	}
}
