package facts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"golang.org/x/sync/errgroup"

	"github.com/zgate-dev/zgate/policy"
)

// AttestationSource finds and verifies the attestations about one commit.
// predicateTypes are those the policy's attestation controls ask for.
// Attestations that fail verification are returned as rejected, with the
// reason; an error means the source could not be read at all (the
// attestations are then listed as unavailable: fail closed).
type AttestationSource interface {
	Attestations(ctx context.Context, gh *github.Client, owner, repo, sha string, predicateTypes []string) ([]policy.Attestation, []policy.RejectedAttestation, error)
}

// Gatherer reads the facts about pull requests. Its zero value works,
// without attestations and without a membership cache.
type Gatherer struct {
	// Attestations is the attestation source; nil means none are found.
	Attestations AttestationSource
	// Members caches team membership; nil reads it on every Gather.
	Members *MembershipCache
	// Configs caches the parsed policy and CODEOWNERS per base commit;
	// nil reads and parses them on every Gather.
	Configs *ConfigCache
	// Pulls keeps the decoded pull request per ETag and body; nil decodes
	// every answer.
	Pulls *PullCache
	// Lists keeps the timeline's and commits' results per pull request
	// while its answers do not change; nil reads them on every Gather.
	Lists *ListMemo
	// Hints are what webhooks told this process about pull requests; a
	// Gather in a [Hinted] context starts from them (see [Hints]). Nil
	// reads everything.
	Hints *Hints
	// Pushes says who pushed to the pull request and when its head was
	// first seen; nil means unknown: no pushers, and no override counts.
	Pushes PushSource
	// Logger receives diagnostics; discarded when nil.
	Logger *slog.Logger
	// Now is the clock that stamps [Result.At]; time.Now when nil.
	Now func() time.Time
	// Also, when set, is a policy whose facts are gathered too, besides
	// the base branch's (and also when the base branch has none):
	// `zgate snapshot --policy` gathers what a changed policy needs.
	// Result.Policy stays the base branch's. The App leaves it nil.
	Also *policy.Policy
}

// needs is the policy whose needs are gathered: the base branch's, plus
// Also; nil when there is neither.
func (g *Gatherer) needs(res *Result) *policy.Policy {
	if g.Also == nil {
		return res.Policy
	}
	if res.Policy == nil {
		return g.Also
	}
	return &policy.Policy{Version: res.Policy.Version, Gates: append(append([]policy.Gate(nil), res.Policy.Gates...), g.Also.Gates...)}
}

// Result is what [Gatherer.Gather] learnt about one pull request.
type Result struct {
	// PR is the pull request as GitHub returned it, with only the fields
	// zgate reads (see pullFacts).
	PR      *github.PullRequest
	HeadSHA string
	BaseRef string
	// Policy is the base branch's policy; nil when it could not be loaded.
	Policy *policy.Policy
	// PolicyFile is the path the policy was read from, or the first path
	// tried when there is none.
	PolicyFile string
	// PolicyRef is what the policy was read at: the base branch's head
	// commit with a [ConfigCache], the branch's full ref without one.
	PolicyRef string
	// PolicyDigest is the SHA-256 of the policy file's bytes, "" when
	// there is none: two reads decided under the same policy exactly when
	// their digests match ([Recheck]).
	PolicyDigest string
	// PolicyErr says why Policy is nil: it wraps [ErrNoPolicy] when the base
	// branch has no policy file (the repository is not gated: report
	// nothing), otherwise the file is unusable and the engine fails every
	// check with it (a policy.ProblemList carries FILE:LINE:COL).
	PolicyErr error
	// CodeownersFile is the CODEOWNERS path used, "" when there is none.
	CodeownersFile string
	// CodeownersDigest is the hex SHA-256 of its bytes, "" when none.
	CodeownersDigest string
	// ConfigSHA is the base branch commit the policy and CODEOWNERS were
	// read at; "" when they were read at the branch name.
	ConfigSHA string
	// BaseTrusted tells whether the base branch's policy may dispatch: the
	// base is the default branch or protected ([Evaluate]).
	BaseTrusted bool
	// BaseTrustReason says why BaseTrusted is false, when it was checked.
	BaseTrustReason string
	// Facts is the input to policy.Evaluate; Now is left nil.
	Facts policy.Facts
	// At is when gathering started: no fact is older than this.
	At time.Time
	// Cheap is set when some facts came from [Hints] or memory instead of
	// GitHub now: only a pending or failing check may be reported from
	// this result, and nothing done; any other outcome needs a Gather
	// with [Fresh].
	Cheap bool
}

// ErrNoPolicy is wrapped by [Result.PolicyErr] when the base branch has no
// policy file.
var ErrNoPolicy = errors.New("no zgate policy on the base branch")

// PolicyPaths are the policy file locations read from the base branch, in
// order.
var PolicyPaths = policy.PolicyPaths

// maxChangedFiles is GitHub's cap on the files a pull request lists.
const maxChangedFiles = 3000

// Gather reads the facts about pull request owner/repo#number. It returns
// an error when the pull request or a fact every gate needs cannot be read
// (the caller retries later); see the package documentation for what fails
// closed instead.
func (g *Gatherer) Gather(ctx context.Context, gh *github.Client, owner, repo string, number int) (*Result, error) {
	at := g.now()
	key := memoKey(owner, repo, number)
	var h *hint
	if isHinted(ctx) {
		h = g.Hints.take(key)
	}
	var (
		trail *answerTrail
		pr    *github.PullRequest
		err   error
	)
	if h != nil {
		// The pull request as the newest delivery carried it.
		pr, ctx = h.pull.pullRequest(), cheap(ctx)
	} else {
		g.Hints.begin(key)
		if g.Lists != nil && !isFresh(ctx) {
			trail = newAnswerTrail()
		}
		if pr, err = getPull(ctx, gh, g.Pulls, trail, owner, repo, number); err != nil {
			return nil, fmt.Errorf("get pull request %s/%s#%d: %w", owner, repo, number, err)
		}
	}
	// The head was current at the latest when GitHub answered.
	read := g.now()
	res := &Result{
		At:      at,
		Cheap:   h != nil,
		PR:      pr,
		HeadSHA: pr.GetHead().GetSHA(),
		BaseRef: pr.GetBase().GetRef(),
	}
	if res.HeadSHA == "" || res.BaseRef == "" {
		return nil, fmt.Errorf("pull request %s/%s#%d: GitHub returned no head SHA or base ref", owner, repo, number)
	}
	f := &res.Facts
	f.Repository = owner + "/" + repo
	f.PullRequest = policy.PullRequest{
		Number:  pr.GetNumber(),
		Author:  pr.GetUser().GetLogin(),
		Base:    res.BaseRef,
		HeadSHA: res.HeadSHA,
		Draft:   pr.GetDraft(),
		Labels:  labelNames(pr.Labels),
	}
	for _, t := range pr.RequestedTeams {
		f.PullRequest.RequestedTeams = append(f.PullRequest.RequestedTeams, owner+"/"+t.GetSlug())
	}
	f.Teams = map[string][]string{}
	f.Reviews = []policy.Review{}
	f.Comments = []policy.Comment{}
	f.Attestations = []policy.Attestation{}
	bots := newBotSet()
	bots.add(pr.GetUser())

	// The files and reviews do not depend on the policy: where the base
	// branch was gated when last seen, read them while its head and
	// rules are read, one round trip less per evaluation.
	var early *listReads
	if g.Configs.wasGated(owner, repo, res.BaseRef) {
		early = g.startLists(ctx, gh, owner, repo, number, res, trail, h)
	}
	if err := g.loadConfig(ctx, gh, owner, repo, res); err != nil {
		early.abandon()
		return nil, err
	}
	if g.needs(res) == nil {
		early.abandon()
		return res, nil // nothing more is needed to fail or skip every check
	}
	if early == nil {
		early = g.startLists(ctx, gh, owner, repo, number, res, trail, h)
	}
	memo, err := g.gatherLists(ctx, gh, owner, repo, number, res, bots, trail, h, early)
	if err != nil {
		return nil, err
	}
	g.gatherBaseTrust(ctx, gh, owner, repo, res)
	g.gatherTeams(ctx, gh, res)
	slot := &commitSlot{cached: memo.commits}
	g.gatherPushes(context.WithValue(ctx, commitSlotKey{}, slot), gh, res, read)
	if trail != nil && memorable(pr, read) {
		memo.commits = slot.fresh
		if memo.commits == nil {
			memo.commits = slot.cached
		}
		g.Lists.put(memoKey(owner, repo, number), memo)
	}
	f.Pushers = bots.renamed(f.Pushers)
	f.PullRequest.HeadSeenAt = afterRetarget(f.PullRequest.HeadSeenAt, f.PullRequest.BaseChangedAt)
	g.gatherAttestations(ctx, gh, owner, repo, res)
	g.gatherDecisions(ctx, gh, owner, repo, res)
	f.Bots = bots.list()
	return res, nil
}

// MaxConcurrentLists bounds the lists one Gather reads at once.
const MaxConcurrentLists = 3

// listReads are the lists of a pull request that do not depend on its
// policy — the changed files and, unless a hint knows them, the reviews —
// read concurrently from [Gatherer.startLists] on; comments join them
// once the policy says they are needed.
type listReads struct {
	eg     *errgroup.Group
	ctx    context.Context
	cancel context.CancelFunc

	files     []string
	truncated bool
	reviews   []reviewFacts
}

// startLists starts reading the files and the reviews (the hint's when
// it knows them).
func (g *Gatherer) startLists(ctx context.Context, gh *github.Client, owner, repo string, number int, res *Result, trail *answerTrail, h *hint) *listReads {
	l := &listReads{}
	ctx, l.cancel = context.WithCancel(ctx)
	l.eg, l.ctx = errgroup.WithContext(ctx)
	l.eg.SetLimit(MaxConcurrentLists)
	l.eg.Go(func() (err error) {
		l.files, l.truncated, err = changedFiles(l.ctx, gh, g.Pulls, trail, owner, repo, number, res.HeadSHA, res.PR.GetChangedFiles())
		return err
	})
	if h != nil && h.listed {
		l.reviews = h.reviews
		return l
	}
	l.eg.Go(func() (err error) {
		if l.reviews, err = reviews(l.ctx, gh, g.Pulls, owner, repo, number); err != nil {
			return err
		}
		var updated time.Time
		if h == nil && res.PR.UpdatedAt != nil {
			updated = res.PR.GetUpdatedAt().Time
		}
		g.Hints.learn(memoKey(owner, repo, number), updated, l.reviews)
		return nil
	})
	return l
}

// wait waits for every list read.
func (l *listReads) wait() error {
	defer l.cancel()
	return l.eg.Wait()
}

// abandon stops the reads, if any, and waits for them.
func (l *listReads) abandon() {
	if l == nil {
		return
	}
	l.cancel()
	_ = l.eg.Wait()
}

// gatherLists waits for the changed files and the reviews (lists, see
// [Gatherer.startLists]) and reads, beside them, the comments when an
// override may need them: the lists do not depend on each other, and an
// evaluation waits for the slowest only. Each list is still read to its
// last page. Then the timeline, unless the memo has its result for these
// very answers of the pull request and its files (trail); it returns the
// memo entry for them.
//
// With a hint (a cheap Gather), the reviews are the hint's when it knows
// them, and the timeline and commits are the memo's last, whatever the
// answers (none when it has none): stale, they can only make a gate look
// open, which the engine then reads afresh ([Hints]).
func (g *Gatherer) gatherLists(ctx context.Context, gh *github.Client, owner, repo string, number int, res *Result, bots botSet, trail *answerTrail, h *hint, lists *listReads) (memoEntry, error) {
	f := &res.Facts
	commenters := newBotSet()
	if needsComments(g.needs(res)) {
		lists.eg.Go(func() (err error) {
			f.Comments, err = comments(lists.ctx, gh, owner, repo, number, commenters)
			return err
		})
	}
	if err := lists.wait(); err != nil {
		return memoEntry{}, err
	}
	files, truncated, listed := lists.files, lists.truncated, lists.reviews
	f.Reviews = reviewList(listed, bots)
	var memo memoEntry
	if trail != nil {
		memo.answers = trail.sum()
	}
	if h != nil {
		memo, _ = g.Lists.latest(memoKey(owner, repo, number))
		if memo.commits == nil {
			memo.commits = []string{} // none known: not read either
		}
		f.PullRequest.BaseChangedAt = memo.baseChanged
	} else if kept, ok := g.Lists.get(memoKey(owner, repo, number), memo.answers); trail != nil && ok {
		// The pull request and its files answer as they did when the
		// timeline was read: no base change since (see ListMemo).
		memo = kept
		f.PullRequest.BaseChangedAt = kept.baseChanged
	} else {
		// Read the timeline after every list: a retarget while they were
		// read (and back) is then dated at or after the read of the pull
		// request.
		var err error
		if f.PullRequest.BaseChangedAt, err = baseChangedAt(ctx, gh, owner, repo, number); err != nil {
			return memoEntry{}, err
		}
		memo.baseChanged, memo.commits = f.PullRequest.BaseChangedAt, nil
	}
	if err := baseSettled(f.PullRequest.BaseChangedAt, res.At); err != nil {
		return memoEntry{}, fmt.Errorf("pull request %s/%s#%d: %w", owner, repo, number, err)
	}
	// comments ran beside reviews with a set of its own (maps are not
	// safe for concurrent writes); fold it in.
	for b := range commenters.bots {
		bots.bots[b] = true
	}
	for id, login := range commenters.logins {
		bots.logins[id] = login
	}
	f.PullRequest.ChangedFiles = files
	f.PullRequest.ChangedFilesTruncated = truncated || res.PR.GetChangedFiles() > maxChangedFiles
	return memo, nil
}

// memorable reports whether what was read after pr (read at read) may be
// kept in a [ListMemo]: pr's latest change is dated (by GitHub, in whole
// seconds) more than baseSettle before the read, so any later change is
// dated another second and changes pr's answer.
func memorable(pr *github.PullRequest, read time.Time) bool {
	return pr.UpdatedAt != nil && pr.GetUpdatedAt().Time.Before(read.Add(-baseSettle).Truncate(time.Second))
}

// gatherTeams reads every team the policy can need; an unreadable team is
// recorded as unavailable.
func (g *Gatherer) gatherTeams(ctx context.Context, gh *github.Client, res *Result) {
	f := &res.Facts
	for _, slug := range NeededTeams(g.needs(res), f.Codeowners, f.PullRequest.ChangedFiles) {
		org, team, _ := strings.Cut(slug, "/")
		members, err := g.Members.Members(ctx, gh, org, team)
		if err != nil {
			g.logger().WarnContext(ctx, "team membership unreadable", "team", slug, "err", err)
			f.Unavailable = append(f.Unavailable, fmt.Sprintf("membership of @%s could not be read: %v", slug, err))
			continue
		}
		f.Teams[slug] = members
	}
}

// gatherPushes asks the push source who pushed and when the head was
// first seen; an unreadable source is recorded as unavailable.
func (g *Gatherer) gatherPushes(ctx context.Context, gh *github.Client, res *Result, read time.Time) {
	if g.Pushes == nil {
		return
	}
	f := &res.Facts
	pf, err := g.Pushes.Pushes(ctx, gh, res.PR, read)
	if errors.Is(err, ErrHeadUnseen) {
		g.logger().WarnContext(ctx, "overrides cannot count: when the head was first seen is unknown", "err", err)
		f.Pushers = pf.Pushers
		return
	}
	if err != nil {
		g.logger().WarnContext(ctx, "pushers unreadable", "err", err)
		f.Unavailable = append(f.Unavailable, fmt.Sprintf("who pushed to the pull request could not be read: %v", err))
		return
	}
	f.Pushers = pf.Pushers
	f.PullRequest.HeadSeenAt = pf.HeadSeenAt
}

// gatherAttestations asks the source for attestations about the head
// commit when some gate has attestation controls.
func (g *Gatherer) gatherAttestations(ctx context.Context, gh *github.Client, owner, repo string, res *Result) {
	types := predicateTypes(g.needs(res))
	if len(types) == 0 || g.Attestations == nil {
		return
	}
	f := &res.Facts
	ok, rejected, err := g.Attestations.Attestations(ctx, gh, owner, repo, res.HeadSHA, types)
	if err != nil {
		g.logger().WarnContext(ctx, "attestations unreadable", "err", err)
		f.Unavailable = append(f.Unavailable, fmt.Sprintf("attestations could not be read: %v", err))
		return
	}
	if ok != nil {
		f.Attestations = ok
	}
	f.RejectedAttestations = rejected
}

func (g *Gatherer) now() time.Time {
	if g.Now == nil {
		return time.Now()
	}
	return g.Now()
}

func (g *Gatherer) logger() *slog.Logger {
	if g.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return g.Logger
}

// needsComments reports whether any gate has an override or is a
// deployment gate, the uses of issue comments.
func needsComments(p *policy.Policy) bool {
	for i := range p.Gates {
		// Overrides and, for deployment gates, approve-deploy commands.
		if p.Gates[i].Override != nil || len(p.Gates[i].If.Environment) > 0 {
			return true
		}
	}
	return false
}

// predicateTypes lists the distinct predicate types the policy's
// attestation controls ask for, sorted.
func predicateTypes(p *policy.Policy) []string {
	seen := map[string]bool{}
	var out []string
	for i := range p.Gates {
		for _, a := range p.Gates[i].Controls.Attestations {
			if !seen[a.PredicateType] {
				seen[a.PredicateType] = true
				out = append(out, a.PredicateType)
			}
		}
	}
	sort.Strings(out)
	return out
}

func labelNames(labels []*github.Label) []string {
	out := make([]string, 0, len(labels))
	for _, l := range labels {
		out = append(out, l.GetName())
	}
	return out
}

// botSet collects the logins GitHub marks as bots (user type "Bot").
// It also remembers the current login of every account id it saw
// (reviewers, commenters, the author), to follow renamed pushers.
type botSet struct {
	bots   map[string]bool
	logins map[int64]string
}

func newBotSet() botSet { return botSet{bots: map[string]bool{}, logins: map[int64]string{}} }

func (b botSet) add(u *github.User) {
	if u.GetID() != 0 && u.GetLogin() != "" {
		b.logins[u.GetID()] = u.GetLogin()
	}
	if u.GetType() == "Bot" && u.GetLogin() != "" {
		b.bots[u.GetLogin()] = true
	}
}

// renamed adds, for every pusher whose account now has another login
// (anyone can rename their GitHub account, and zgate recorded the login
// of the push), the same push under the current login, so that the
// renamed pusher's approvals and overrides still do not count.
func (b botSet) renamed(pushers []policy.Pusher) []policy.Pusher {
	out := pushers
	for _, p := range pushers {
		if now := b.logins[p.ID]; p.ID != 0 && now != "" && !strings.EqualFold(now, p.Login) {
			p.Login = now
			out = append(out, p)
		}
	}
	return out
}

func (b botSet) list() []string {
	out := make([]string, 0, len(b.bots))
	for l := range b.bots {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}
