package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// verdict is what zgate answers about one deployment, or that it waits.
type verdict struct {
	state   string // stateApproved, stateRejected or statePending
	comment string
	// next is when to look again while pending: the end of the window or
	// the expiry of a counted control, whichever comes first.
	next time.Time
}

// maxComment bounds the answer's comment; GitHub shows it on the run.
const maxComment = 1000

// decide evaluates the gates whose if.environment names d's environment,
// through the same facts and policy.Evaluate as pull requests, at now:
//   - every such gate succeeds: approved;
//   - the window (the longest of theirs) measured from when the deployment
//     was requested has closed: rejected, saying what was missing;
//   - no gate names the environment, or the policy is missing or broken:
//     rejected, as nothing can approve it (fail closed);
//   - otherwise pending until an event or the window's end.
func (e *Engine) decide(ctx context.Context, gh *github.Client, d store.Deployment, now time.Time) (verdict, error) {
	repo, _, err := gh.Repositories.Get(ctx, d.Owner, d.Repo)
	if err != nil {
		return verdict{}, fmt.Errorf("read repository %s/%s: %w", d.Owner, d.Repo, err)
	}
	res, err := e.cfg.Gatherer.GatherDeployment(ctx, gh, d.Owner, d.Repo, repo.GetDefaultBranch(), policy.Deployment{
		Environment: d.Environment, SHA: d.SHA, Ref: d.Ref, Deployer: d.Deployer, RequestedAt: d.Requested,
	})
	if err != nil {
		return verdict{}, err
	}
	if res.Policy == nil {
		if errors.Is(res.PolicyErr, facts.ErrNoPolicy) {
			return rejected("the default branch %s has no zgate policy, so no gate names environment %s", repo.GetDefaultBranch(), d.Environment), nil
		}
		return rejected("the zgate policy on %s cannot be loaded: %v", repo.GetDefaultBranch(), res.PolicyErr), nil
	}
	dec := facts.Evaluate(res, now)
	var applicable []policy.GateDecision
	var window time.Duration
	for i, gd := range dec.Gates {
		if gd.State == policy.StateSkipped {
			continue
		}
		applicable = append(applicable, gd)
		window = max(window, res.Policy.Gates[i].Window)
	}
	if len(applicable) == 0 {
		return rejected("no gate of %s names environment %s in if.environment", res.PolicyFile, d.Environment), nil
	}
	var open, shut []string
	for _, gd := range applicable {
		line := gd.Check + ": " + gd.Summary
		if gd.State == policy.StateSuccess {
			open = append(open, line)
			continue
		}
		if len(gd.Missing) > 0 {
			line += " (missing: " + strings.Join(gd.Missing, "; ") + ")"
		}
		shut = append(shut, line)
	}
	if len(shut) == 0 {
		return verdict{state: stateApproved, comment: clip("zgate approves " + short(d.SHA) + " for " + d.Environment + ": " + strings.Join(open, "; "))}, nil
	}
	deadline := d.Requested.Add(window)
	if !now.Before(deadline) {
		return rejected("the %s window closed at %s without every gate holding for %s: %s",
			window, deadline.UTC().Format(time.RFC3339), short(d.SHA), strings.Join(shut, "; ")), nil
	}
	next := deadline
	for _, gd := range applicable {
		if gd.ExpiresAt != nil && gd.ExpiresAt.Add(time.Second).Before(next) {
			next = gd.ExpiresAt.Add(time.Second)
		}
	}
	return verdict{state: statePending, comment: strings.Join(shut, "; "), next: next}, nil
}

func rejected(format string, args ...any) verdict {
	return verdict{state: stateRejected, comment: clip("zgate rejects: " + fmt.Sprintf(format, args...))}
}

// clip shortens s to maxComment bytes without splitting a rune.
func clip(s string) string {
	if len(s) <= maxComment {
		return s
	}
	n := maxComment - len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
