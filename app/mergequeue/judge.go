package mergequeue

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/policy"
)

// A merge group passes a gate only when every pull request in it still
// holds the gate now, at the head that was queued: a merge queue merges a
// group as a whole. The App (check runs) and the Action (commit statuses)
// report the verdicts on the group's head commit under the names branch
// protection requires of the base ([report.CheckNames]: "zgate/<gate>:
// <base>", and "zgate/<gate>" when the base is the default branch).
//
// Which pull requests a group holds: GitHub names each group's branch
// gh-readonly-queue/<base>/pr-<N>-<head> and builds it on the group ahead
// of it (or the base's tip), so the group ending with N holds N and every
// pull request whose group head is on its first-parent chain down to the
// base's tip. Every step of that chain must be a known group head and the
// chain must end at the base's current tip; otherwise the group's pull
// requests are unknown and it fails (fail closed: a queue that rebased
// commits, say, is never passed on a guess).

// MaxGroups bounds the merge groups read per repository (GitHub builds
// at most 100 entries at once).
const MaxGroups = 100

// ErrUnknownGroup means a group's pull requests cannot be determined.
var ErrUnknownGroup = errors.New("cannot tell which pull requests the merge group holds")

// Group is one merge group.
type Group struct {
	HeadSHA string
	// Last names the group's branch: its base and the pull request it
	// ends with.
	Last Ref
	// Members are the group's pull requests, front first (Last's too);
	// empty when Err is set.
	Members []Ref
	// Err wraps [ErrUnknownGroup] when the members are unknown.
	Err error
}

// Groups lists the merge groups of owner/repo, front of the queue first.
func Groups(ctx context.Context, gh *github.Client, owner, repo string) ([]Group, error) {
	refs, err := listRefs(ctx, gh, owner, repo)
	if err != nil {
		return nil, err
	}
	rd := &reader{gh: gh, owner: owner, repo: repo, bySHA: refs, parents: map[string]string{}, tips: map[string]string{}}
	var out []Group
	for _, sha := range slices.Sorted(maps.Keys(refs)) {
		g := Group{HeadSHA: sha, Last: refs[sha]}
		g.Members, err = rd.members(ctx, sha, g.Last)
		switch {
		case errors.Is(err, ErrUnknownGroup):
			g.Err = err
		case err != nil:
			return nil, err
		}
		out = append(out, g)
	}
	// Front of the queue first (a group holds those ahead of it), so
	// verdicts reach GitHub in queue order; unknown groups last.
	slices.SortStableFunc(out, func(a, b Group) int { return position(a) - position(b) })
	return out, nil
}

func position(g Group) int {
	if g.Err != nil {
		return MaxGroups + 1
	}
	return len(g.Members)
}

// listRefs lists the merge group branches: group head SHA -> parsed
// name. Names that do not parse are skipped (not groups).
func listRefs(ctx context.Context, gh *github.Client, owner, repo string) (map[string]Ref, error) {
	out := map[string]Ref{}
	opts := &github.ReferenceListOptions{Ref: strings.TrimPrefix(RefPrefix, "refs/"), ListOptions: github.ListOptions{PerPage: 100}}
	for {
		refs, resp, err := gh.Git.ListMatchingRefs(ctx, owner, repo, opts)
		if err != nil {
			return nil, fmt.Errorf("list merge group branches of %s/%s: %w", owner, repo, err)
		}
		for _, r := range refs {
			if p, err := ParseRef(r.GetRef()); err == nil {
				out[r.GetObject().GetSHA()] = p
			}
		}
		if resp.NextPage == 0 || len(out) >= MaxGroups {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// reader reads each commit and base tip once.
type reader struct {
	gh          *github.Client
	owner, repo string
	bySHA       map[string]Ref
	parents     map[string]string // commit -> first parent
	tips        map[string]string // base -> tip
}

// members returns the refs of the group whose head is sha, front first.
func (rd *reader) members(ctx context.Context, sha string, last Ref) ([]Ref, error) {
	var chain []Ref
	cur := sha
	for range MaxGroups + 1 {
		r, ok := rd.bySHA[cur]
		if !ok {
			break
		}
		if r.Base != last.Base {
			return nil, fmt.Errorf("%w: group %s of %s sits on a group of %s", ErrUnknownGroup, sha, last.Base, r.Base)
		}
		chain = append(chain, r)
		p, err := rd.parent(ctx, cur)
		if err != nil {
			return nil, err
		}
		cur = p
	}
	tip, err := rd.tip(ctx, last.Base)
	if err != nil {
		return nil, err
	}
	if cur != tip {
		return nil, fmt.Errorf("%w: its first-parent chain leaves the queue at %.7s, not at the tip %.7s of %s", ErrUnknownGroup, cur, tip, last.Base)
	}
	slices.Reverse(chain)
	return chain, nil
}

func (rd *reader) parent(ctx context.Context, sha string) (string, error) {
	if p, ok := rd.parents[sha]; ok {
		return p, nil
	}
	c, _, err := rd.gh.Git.GetCommit(ctx, rd.owner, rd.repo, sha)
	if err != nil {
		return "", fmt.Errorf("read merge group commit %s: %w", sha, err)
	}
	p := ""
	if len(c.Parents) > 0 {
		p = c.Parents[0].GetSHA()
	}
	rd.parents[sha] = p
	return p, nil
}

func (rd *reader) tip(ctx context.Context, base string) (string, error) {
	if t, ok := rd.tips[base]; ok {
		return t, nil
	}
	b, _, err := rd.gh.Repositories.GetBranch(ctx, rd.owner, rd.repo, base, 0)
	if err != nil {
		return "", fmt.Errorf("read base branch %s: %w", base, err)
	}
	rd.tips[base] = b.GetCommit().GetSHA()
	return rd.tips[base], nil
}

// Source gives a pull request's facts, read afresh, and its decision now
// (nil decision gates when the base has no usable policy).
type Source func(ctx context.Context, number int) (*facts.Result, policy.Decision, error)

// Verdict is a group's outcome for one gate ("" the policy error check).
type Verdict struct {
	Gate    string
	OK      bool
	Title   string
	Summary string
}

// Judge decides g's verdict per gate. defBranch is the repository's
// default branch as the members' facts say it ("" when unknown: the
// legacy names are then not written). A group with nothing gated has no
// verdicts.
func Judge(ctx context.Context, g Group, src Source) (verdicts []Verdict, defBranch string, err error) {
	if g.Err != nil {
		gates := []string{""}
		if res, dec, err := src(ctx, g.Last.PR); err == nil && res.Policy != nil {
			defBranch = report.DefaultBranch(res)
			for _, gd := range dec.Gates {
				gates = append(gates, gd.Name)
			}
		}
		for _, gate := range gates {
			verdicts = append(verdicts, Verdict{Gate: gate, Title: "Merge group fails: " + g.Err.Error(),
				Summary: "zgate " + g.Err.Error() + ", so it cannot pass the group (fail closed)."})
		}
		return verdicts, defBranch, nil
	}
	type tally struct {
		ok      bool
		reasons []string
		held    map[int]bool
	}
	byGate := map[string]*tally{}
	var gates []string
	var blocked []string // reasons that fail every gate
	gated := map[int]policy.Decision{}
	for _, m := range g.Members {
		res, dec, err := src(ctx, m.PR)
		switch {
		case err != nil:
			return nil, "", fmt.Errorf("merge group %s: %w", g.HeadSHA, err)
		case res.PR.GetState() != "open":
			blocked = append(blocked, fmt.Sprintf("#%d is %s", m.PR, res.PR.GetState()))
			continue
		case res.HeadSHA != m.HeadSHA:
			blocked = append(blocked, fmt.Sprintf("#%d moved from the queued head %.7s to %.7s", m.PR, m.HeadSHA, res.HeadSHA))
			continue
		case res.BaseRef != m.Base:
			blocked = append(blocked, fmt.Sprintf("#%d now targets %s, not %s", m.PR, res.BaseRef, m.Base))
			continue
		case res.Policy == nil:
			if errors.Is(res.PolicyErr, facts.ErrNoPolicy) {
				continue // the base is not gated
			}
			blocked = append(blocked, fmt.Sprintf("#%d: the policy of %s cannot be loaded", m.PR, m.Base))
			continue
		}
		gated[m.PR] = dec
		if defBranch == "" {
			defBranch = report.DefaultBranch(res)
		}
		for _, gd := range dec.Gates {
			t := byGate[gd.Name]
			if t == nil {
				t = &tally{ok: true, held: map[int]bool{}}
				byGate[gd.Name] = t
				gates = append(gates, gd.Name)
			}
			t.held[m.PR] = true
			// A gate that does not apply to a pull request is skipped on
			// it, which branch protection counts as passed.
			if gd.State != policy.StateSuccess && gd.State != policy.StateSkipped {
				t.ok = false
				t.reasons = append(t.reasons, fmt.Sprintf("#%d no longer holds %s at %.7s: %s", m.PR, gd.Name, m.HeadSHA, gd.Summary))
			}
		}
	}
	// A gate some gated member has no decision for is not held by it.
	for _, gate := range gates {
		t := byGate[gate]
		for _, m := range g.Members {
			if _, ok := gated[m.PR]; ok && !t.held[m.PR] {
				t.ok = false
				t.reasons = append(t.reasons, fmt.Sprintf("#%d has no decision for %s", m.PR, gate))
			}
		}
	}
	if len(gates) == 0 {
		if len(blocked) == 0 {
			return nil, defBranch, nil // nothing gated
		}
		// Fail the policy error check, the one name sure to be known.
		gates = append(gates, "")
		byGate[""] = &tally{}
	}
	prs := make([]string, len(g.Members))
	for i, m := range g.Members {
		prs[i] = fmt.Sprintf("#%d", m.PR)
	}
	list := strings.Join(prs, ", ")
	for _, gate := range gates {
		t := byGate[gate]
		reasons := append(slices.Clone(blocked), t.reasons...)
		v := Verdict{Gate: gate, OK: t.ok && len(blocked) == 0}
		if v.OK {
			v.Title = fmt.Sprintf("Merge group holds %s: %s", label(gate), list)
			v.Summary = fmt.Sprintf("Every pull request in this merge group (%s) still holds %s at the head that was queued.", list, label(gate))
		} else {
			v.Title = "Merge group fails " + label(gate) + ": " + reasons[0]
			v.Summary = fmt.Sprintf("The merge group holds %s. It passes only when each still holds %s at the head that was queued:\n\n- %s",
				list, label(gate), strings.Join(reasons, "\n- "))
		}
		verdicts = append(verdicts, v)
	}
	return verdicts, defBranch, nil
}

func label(gate string) string {
	if gate == "" {
		return "the policy"
	}
	return "gate " + gate
}
