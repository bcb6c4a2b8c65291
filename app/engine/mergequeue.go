package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/mergequeue"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// MergeQueueNumber is the pull request number of a merge-queue key: a job
// that means "judge every merge group of this repository". It is the
// number below [RepoNumber], which GitHub never reaches either.
const MergeQueueNumber = math.MaxInt32 - 1

// MergeQueueKey is the merge-queue key of owner/repo.
func MergeQueueKey(installation int64, owner, repo string) store.PRKey {
	return store.PRKey{Installation: installation, Owner: owner, Repo: repo, Number: MergeQueueNumber}
}

// IsMergeQueueKey reports whether k names a repository's merge groups.
func IsMergeQueueKey(k store.PRKey) bool { return k.Number == MergeQueueNumber }

// maxGroups bounds the merge groups judged per repository (GitHub builds
// at most 100 entries at once).
const maxGroups = 100

// A merge group passes a gate only when every pull request in it still
// holds the gate now, at the head that was queued: a merge queue merges a
// group as a whole, so the group's head commit gets zgate's checks under
// the names branch protection requires of the base ([report.CheckNames]:
// "zgate/<gate>: <base>", and "zgate/<gate>" when the base is the default
// branch), success or failure naming the pull request that fails.
//
// Which pull requests a group holds: GitHub names each group's branch
// gh-readonly-queue/<base>/pr-<N>-<head> and builds it on the group ahead
// of it (or the base's tip), so the group ending with N holds N and every
// pull request whose group head is on its first-parent chain down to the
// base's tip. Every step of that chain must be a known group head and the
// chain must end at the base's current tip; otherwise the group's pull
// requests are unknown and it fails (fail closed: a queue that rebased
// commits, say, is never passed on a guess).

// judgeQueue judges every merge group of key's repository.
func (e *Engine) judgeQueue(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey) error {
	refs, err := listQueueRefs(ctx, gh, key.Owner, key.Repo)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return nil
	}
	j := &queueJudge{e: e, gh: gh, key: key, log: log, now: e.now(),
		bySHA: map[string]mergequeue.Ref{}, parents: map[string]string{}, tips: map[string]string{},
		prs: map[int]*facts.Result{}, decs: map[int]policy.Decision{}, prErr: map[int]error{}}
	for sha, r := range refs {
		j.bySHA[sha] = r
	}
	for _, sha := range slices.Sorted(maps.Keys(refs)) {
		if err := j.judge(ctx, sha, refs[sha]); err != nil {
			return err
		}
	}
	return nil
}

// listQueueRefs lists the merge group branches: group head SHA -> parsed
// name. Names that do not parse are skipped (not groups).
func listQueueRefs(ctx context.Context, gh *github.Client, owner, repo string) (map[string]mergequeue.Ref, error) {
	out := map[string]mergequeue.Ref{}
	opts := &github.ReferenceListOptions{Ref: strings.TrimPrefix(mergequeue.RefPrefix, "refs/"), ListOptions: github.ListOptions{PerPage: 100}}
	for {
		refs, resp, err := gh.Git.ListMatchingRefs(ctx, owner, repo, opts)
		if err != nil {
			return nil, fmt.Errorf("list merge group branches of %s/%s: %w", owner, repo, err)
		}
		for _, r := range refs {
			p, err := mergequeue.ParseRef(r.GetRef())
			if err != nil {
				continue
			}
			out[r.GetObject().GetSHA()] = p
		}
		if resp.NextPage == 0 || len(out) >= maxGroups {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// queueJudge judges the groups of one repository, reading each commit,
// base tip and pull request once.
type queueJudge struct {
	e       *Engine
	gh      *github.Client
	key     store.PRKey
	log     *slog.Logger
	now     time.Time
	bySHA   map[string]mergequeue.Ref
	parents map[string]string // commit -> first parent
	tips    map[string]string // base -> tip
	prs     map[int]*facts.Result
	decs    map[int]policy.Decision
	prErr   map[int]error
}

// errUnknownGroup means the group's pull requests cannot be determined.
var errUnknownGroup = errors.New("cannot tell which pull requests the merge group holds")

// members returns the refs of the group whose head is sha, front first.
func (j *queueJudge) members(ctx context.Context, sha string, last mergequeue.Ref) ([]mergequeue.Ref, error) {
	var chain []mergequeue.Ref
	cur := sha
	for range maxGroups + 1 {
		r, ok := j.bySHA[cur]
		if !ok {
			break
		}
		if r.Base != last.Base {
			return nil, fmt.Errorf("%w: group %s of %s sits on a group of %s", errUnknownGroup, sha, last.Base, r.Base)
		}
		chain = append(chain, r)
		p, err := j.parent(ctx, cur)
		if err != nil {
			return nil, err
		}
		cur = p
	}
	tip, err := j.tip(ctx, last.Base)
	if err != nil {
		return nil, err
	}
	if cur != tip {
		return nil, fmt.Errorf("%w: its chain ends at %s, not at the tip %s of %s", errUnknownGroup, cur, tip, last.Base)
	}
	slices.Reverse(chain)
	return chain, nil
}

func (j *queueJudge) parent(ctx context.Context, sha string) (string, error) {
	if p, ok := j.parents[sha]; ok {
		return p, nil
	}
	c, _, err := j.gh.Git.GetCommit(ctx, j.key.Owner, j.key.Repo, sha)
	if err != nil {
		return "", fmt.Errorf("read merge group commit %s: %w", sha, err)
	}
	p := ""
	if len(c.Parents) > 0 {
		p = c.Parents[0].GetSHA()
	}
	j.parents[sha] = p
	return p, nil
}

func (j *queueJudge) tip(ctx context.Context, base string) (string, error) {
	if t, ok := j.tips[base]; ok {
		return t, nil
	}
	b, _, err := j.gh.Repositories.GetBranch(ctx, j.key.Owner, j.key.Repo, base, 0)
	if err != nil {
		return "", fmt.Errorf("read base branch %s: %w", base, err)
	}
	j.tips[base] = b.GetCommit().GetSHA()
	return j.tips[base], nil
}

// pr gathers and decides pull request n once.
func (j *queueJudge) pr(ctx context.Context, n int) (*facts.Result, policy.Decision, error) {
	if err, ok := j.prErr[n]; ok {
		return j.prs[n], j.decs[n], err
	}
	k := j.key
	k.Number = n
	// Every list read afresh, as before a Z: this is the group's Z.
	res, err := j.e.gather(facts.Fresh(ctx), j.gh, k)
	var dec policy.Decision
	if err == nil && res.Policy != nil {
		dec = j.e.decide(ctx, res, j.now)
	}
	j.prs[n], j.decs[n], j.prErr[n] = res, dec, err
	return res, dec, err
}

// verdict is a group's outcome for one gate.
type verdict struct {
	ok      bool
	title   string
	reasons []string
}

// judge publishes the checks of the group whose head is sha.
func (j *queueJudge) judge(ctx context.Context, sha string, last mergequeue.Ref) error {
	log := j.log.With("merge_group", sha, "base", last.Base, "pr", last.PR)
	members, err := j.members(ctx, sha, last)
	if errors.Is(err, errUnknownGroup) {
		log.Warn("merge group failed closed", "err", err)
		return j.publishAll(ctx, sha, last, members, err.Error())
	}
	if err != nil {
		return err
	}
	verdicts := map[string]*verdict{}
	var gates []string
	var defBranch string
	var blocked []string // reasons that fail every gate
	for _, m := range members {
		res, dec, err := j.pr(ctx, m.PR)
		switch {
		case err != nil:
			return fmt.Errorf("merge group %s: %w", sha, err)
		case res.PR.GetState() != "open":
			blocked = append(blocked, fmt.Sprintf("#%d is %s", m.PR, res.PR.GetState()))
			continue
		case res.HeadSHA != m.HeadSHA:
			blocked = append(blocked, fmt.Sprintf("#%d moved from the queued head %s to %s", m.PR, abbrev(m.HeadSHA), abbrev(res.HeadSHA)))
			continue
		case res.BaseRef != m.Base:
			blocked = append(blocked, fmt.Sprintf("#%d now targets %s, not %s", m.PR, res.BaseRef, m.Base))
			continue
		case res.Policy == nil:
			if errors.Is(res.PolicyErr, facts.ErrNoPolicy) {
				continue // the base is not gated
			}
			blocked = append(blocked, fmt.Sprintf("#%d: the policy cannot be loaded", m.PR))
			continue
		}
		if defBranch == "" {
			defBranch = report.DefaultBranch(res)
		}
		for _, gd := range dec.Gates {
			v := verdicts[gd.Name]
			if v == nil {
				v = &verdict{ok: true}
				verdicts[gd.Name] = v
				gates = append(gates, gd.Name)
			}
			// A gate that does not apply to a pull request is skipped on
			// it, which branch protection counts as passed.
			if gd.State != policy.StateSuccess && gd.State != policy.StateSkipped {
				v.ok = false
				v.reasons = append(v.reasons, fmt.Sprintf("#%d no longer holds %s at %s: %s", m.PR, gd.Name, abbrev(m.HeadSHA), gd.Summary))
			}
		}
	}
	// Every gate must appear for every gated member: one a member lacks
	// is not held by it.
	for _, g := range gates {
		for _, m := range members {
			if _, dec, _ := j.pr(ctx, m.PR); j.prs[m.PR] != nil && j.prs[m.PR].Policy != nil && !slices.ContainsFunc(dec.Gates, func(gd policy.GateDecision) bool { return gd.Name == g }) {
				verdicts[g].ok = false
				verdicts[g].reasons = append(verdicts[g].reasons, fmt.Sprintf("#%d has no decision for %s", m.PR, g))
			}
		}
	}
	if len(gates) == 0 && len(blocked) == 0 {
		return nil // nothing gated
	}
	if len(gates) == 0 {
		// Fail the policy error check, the one name sure to be required
		// when no gate is known.
		gates = append(gates, "")
		verdicts[""] = &verdict{}
	}
	prs := make([]string, len(members))
	for i, m := range members {
		prs[i] = fmt.Sprintf("#%d", m.PR)
	}
	for _, g := range gates {
		v := verdicts[g]
		v.reasons = append(slices.Clone(blocked), v.reasons...)
		ok := v.ok && len(blocked) == 0
		c := report.Content{Status: report.StatusCompleted, At: j.now}
		if ok {
			c.Conclusion = report.ConclusionSuccess
			c.Title = fmt.Sprintf("Merge group holds %s: %s", gateLabel(g), strings.Join(prs, ", "))
			c.Summary = fmt.Sprintf("Every pull request in this merge group (%s) still holds %s at the head that was queued.", strings.Join(prs, ", "), gateLabel(g))
		} else {
			c.Conclusion = report.ConclusionFailure
			c.Title = "Merge group fails " + gateLabel(g) + ": " + v.reasons[0]
			c.Summary = fmt.Sprintf("The merge group holds %s. It passes only when each still holds %s at the head that was queued:\n\n- %s",
				strings.Join(prs, ", "), gateLabel(g), strings.Join(v.reasons, "\n- "))
		}
		if err := j.publish(ctx, sha, g, last.Base, defBranch, c); err != nil {
			return err
		}
		log.Info("merge group judged", "gate", g, "ok", ok, "prs", strings.Join(prs, ","))
	}
	return nil
}

func gateLabel(g string) string {
	if g == "" {
		return "the policy"
	}
	return "gate " + g
}

// publishAll fails every gate known for the group's pull requests (or
// the policy error check when none is known) with reason.
func (j *queueJudge) publishAll(ctx context.Context, sha string, last mergequeue.Ref, _ []mergequeue.Ref, reason string) error {
	gates := []string{""}
	defBranch := ""
	if res, dec, err := j.pr(ctx, last.PR); err == nil && res.Policy != nil {
		defBranch = report.DefaultBranch(res)
		for _, gd := range dec.Gates {
			gates = append(gates, gd.Name)
		}
	}
	for _, g := range gates {
		c := report.Content{Status: report.StatusCompleted, Conclusion: report.ConclusionFailure, At: j.now,
			Title: "Merge group fails: " + reason, Summary: "zgate " + reason + ", so it cannot pass the group (fail closed)."}
		if err := j.publish(ctx, sha, g, last.Base, defBranch, c); err != nil {
			return err
		}
	}
	return nil
}

// publish writes c on the group head under every name the base requires.
func (j *queueJudge) publish(ctx context.Context, sha, gate, base, defBranch string, c report.Content) error {
	for _, name := range report.CheckNames(gate, base, defBranch) {
		if _, err := j.e.publish(ctx, j.gh, j.key, sha, c.WithName(name)); err != nil {
			return err
		}
	}
	return nil
}

// rejudgeQueue schedules the repository's merge groups to be judged again
// when zgate put this pull request into a merge queue at this head: a
// review or window change while it waits there may fail its group. (A
// group of pull requests queued by people is judged when GitHub asks.)
func (e *Engine) rejudgeQueue(ctx context.Context, key store.PRKey, dec policy.Decision, head string, now time.Time) error {
	for _, gd := range dec.Gates {
		x := e.lastExecution(key, gd.Name, head)
		if x != nil && x.Kind == string(policy.ActionMerge) && x.Status == store.ExecDone && strings.Contains(x.Detail, "merge queue") {
			return e.enqueue(ctx, MergeQueueKey(key.Installation, key.Owner, key.Repo), now)
		}
	}
	return nil
}
