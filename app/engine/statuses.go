package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// KindForeignStatus is the audit kind of a commit status that claimed a
// zgate check name and disagreed with the gate, which zgate overwrote.
const KindForeignStatus = "foreign_status"

// statusState maps a gate state to the commit status state that tells
// branch protection the same thing as the gate's check run.
func statusState(s policy.State) string {
	switch s {
	case policy.StateSuccess, policy.StateSkipped:
		return "success"
	case policy.StatePending:
		return "pending"
	}
	return "failure"
}

// guardStatuses overwrites commit statuses on the head commit that claim a
// zgate check name ("zgate", "zgate/<gate>", "zgate/<gate>: <base>"...,
// report.ClaimsCheck) but disagree with the gate: branch protection
// accepts a status of the required name from anyone, so such a status
// could open a gate nobody approved. want maps each check name zgate
// reports for this pull request's base to its status state. A claimed
// name zgate does not report is overwritten with failure, unless it is
// zgate's own status for another base (report.CheckBase): the same head
// can be the head of a pull request into that base, whose evaluation keeps
// it in step, and overwriting it here would make the two evaluations undo
// each other. The latest status of a context is the one GitHub counts, so
// posting zgate's state replaces the claim. The statuses are read on a
// head's first evaluation and after each status webhook claiming a zgate
// check ([Engine.claims]); a claim's webhook re-evaluates the pull request,
// so it is overwritten as promptly as it would be by reading every time.
func (e *Engine) guardStatuses(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, want map[string]string) error {
	sha := res.HeadSHA
	def := report.DefaultBranch(res)
	statuses, err := e.claims(ctx, gh, key, sha)
	if err != nil {
		return err
	}
	for _, st := range statuses {
		c := st.GetContext()
		base, claims := report.CheckBase(c, def)
		if !claims {
			continue
		}
		by := st.GetCreator().GetLogin()
		own := by != "" && by == e.cfg.BotLogin
		state, reported := want[c]
		if !reported && own && base != res.BaseRef {
			continue // another base's, kept by that base's evaluation
		}
		if !reported {
			state = "failure"
		}
		if st.GetState() == state {
			continue // agrees with the gate (zgate's own earlier overwrite, too)
		}
		desc := fmt.Sprintf("zgate: %s per the gate; replaces a %s status set by %s", state, st.GetState(), by)
		switch {
		case own:
			// zgate's own earlier overwrite, kept in step with the gate.
			desc = fmt.Sprintf("zgate: %s per the gate", state)
		case !reported:
			desc = fmt.Sprintf("zgate reports no such gate here; replaces a %s status set by %s", st.GetState(), by)
		}
		desc = report.OneLine(desc, report.MaxStatusDescription)
		if _, _, err := gh.Repositories.CreateStatus(ctx, key.Owner, key.Repo, sha, &github.RepoStatus{
			State: github.String(state), Context: github.String(c), Description: github.String(desc),
		}); err != nil {
			e.dropClaims(key, sha)
			return fmt.Errorf("overwrite status %s on %s@%s: %w", c, key, sha, err)
		}
		// What was read is out of date now: read again next time.
		e.dropClaims(key, sha)
		if own {
			log.Info("updated zgate's own commit status", "context", c, "was", st.GetState(), "now", state)
			continue
		}
		log.Warn("overwrote a commit status claiming a zgate check", "context", c, "was", st.GetState(), "now", state, "by", by)
		if err := e.append(ctx, key, audit.Entry{
			Kind: KindForeignStatus, Repo: key.Owner + "/" + key.Repo, PR: key.Number, Gate: claimedGate(c), HeadSHA: sha,
			Data: map[string]string{"context": c, "state": st.GetState(), "creator": by, "replaced_with": state},
		}); err != nil {
			return err
		}
	}
	return nil
}

// statusRead is what one read of a commit's statuses found: the statuses
// claiming a zgate check, and the notice count ([StatusNotices]) seen
// before reading.
type statusRead struct {
	at      time.Time
	notices int64
	claims  []*github.RepoStatus
}

// maxStatusReads bounds the remembered reads; past it they are all
// forgotten, which costs one read per head evaluated next.
const maxStatusReads = 10000

// claims returns the statuses on sha that claim a zgate check name. They
// are read from GitHub on the first evaluation of the head, after a status
// webhook for it was noted, and every time without [Config.StatusNotices];
// otherwise the last read stands: no status claiming a zgate check can be
// set without such a webhook. A read older than [Config.StatusRecheck] is
// renewed, so the sweep still finds a claim whose webhook was lost. The notice count is taken before reading,
// so one noted during the read makes the next evaluation read again.
func (e *Engine) claims(ctx context.Context, gh *github.Client, key store.PRKey, sha string) ([]*github.RepoStatus, error) {
	if e.cfg.StatusNotices == nil {
		return combinedStatuses(ctx, gh, key, sha)
	}
	notices, err := e.cfg.StatusNotices.StatusNotice(ctx, key.Owner, key.Repo, sha)
	if err != nil {
		return nil, fmt.Errorf("status notices of %s@%s: %w", key, sha, err)
	}
	ck := statusReadKey(key, sha)
	e.mu.Lock()
	last, ok := e.statusReads[ck]
	e.mu.Unlock()
	now := e.now()
	stale := e.cfg.StatusRecheck > 0 && now.Sub(last.at) >= e.cfg.StatusRecheck
	if ok && last.notices == notices && !stale {
		return last.claims, nil
	}
	all, err := combinedStatuses(ctx, gh, key, sha)
	if err != nil {
		return nil, err
	}
	read := statusRead{at: now, notices: notices}
	for _, st := range all {
		if report.ClaimsCheck(st.GetContext()) {
			read.claims = append(read.claims, st)
		}
	}
	e.mu.Lock()
	if len(e.statusReads) >= maxStatusReads {
		clear(e.statusReads)
	}
	e.statusReads[ck] = read
	e.mu.Unlock()
	return read.claims, nil
}

// dropClaims forgets the last read of sha's statuses.
func (e *Engine) dropClaims(key store.PRKey, sha string) {
	e.mu.Lock()
	delete(e.statusReads, statusReadKey(key, sha))
	e.mu.Unlock()
}

func statusReadKey(key store.PRKey, sha string) string {
	return key.Owner + "/" + key.Repo + "@" + sha
}

// combinedStatuses reads the newest status of every context on sha, from
// every page: a claim past the first 100 statuses counts for branch
// protection as much as one on page 1. It lists the commit's statuses
// (newest first) rather than reading the combined status, whose answer
// embeds the repository object: any push anywhere in the repository
// changes that answer's ETag, this list's only when the commit's
// statuses change, so a re-read of unchanged statuses costs no rate
// limit.
func combinedStatuses(ctx context.Context, gh *github.Client, key store.PRKey, sha string) ([]*github.RepoStatus, error) {
	var out []*github.RepoStatus
	seen := map[string]bool{}
	opts := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := gh.Repositories.ListStatuses(ctx, key.Owner, key.Repo, sha, opts)
		if err != nil {
			return nil, fmt.Errorf("read commit statuses of %s@%s (page %d): %w", key, sha, max(opts.Page, 1), err)
		}
		for _, st := range page {
			if c := st.GetContext(); !seen[c] {
				seen[c] = true
				out = append(out, st)
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// claimedGate is the gate a claimed check name names ("" for "zgate" and
// "zgate: <base>").
func claimedGate(name string) string {
	rest, ok := strings.CutPrefix(name, policy.CheckPrefix)
	if !ok {
		return ""
	}
	gate, _, _ := strings.Cut(rest, ": ")
	return gate
}
