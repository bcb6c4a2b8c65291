package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

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
// posting zgate's state replaces the claim. The combined status is read
// with an ETag, so an unchanged commit costs no rate limit.
func (e *Engine) guardStatuses(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey, res *facts.Result, want map[string]string) error {
	sha := res.HeadSHA
	def := report.DefaultBranch(res)
	statuses, err := combinedStatuses(ctx, gh, key, sha)
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
			return fmt.Errorf("overwrite status %s on %s@%s: %w", c, key, sha, err)
		}
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

// combinedStatuses reads the newest status of every context on sha, every
// page of the combined status: a claim past the first 100 contexts
// counts for branch protection as much as one on page 1.
func combinedStatuses(ctx context.Context, gh *github.Client, key store.PRKey, sha string) ([]*github.RepoStatus, error) {
	var out []*github.RepoStatus
	opts := &github.ListOptions{PerPage: 100}
	for {
		combined, resp, err := gh.Repositories.GetCombinedStatus(ctx, key.Owner, key.Repo, sha, opts)
		if err != nil {
			return nil, fmt.Errorf("read commit statuses of %s@%s (page %d): %w", key, sha, max(opts.Page, 1), err)
		}
		out = append(out, combined.Statuses...)
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
