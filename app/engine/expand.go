package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
)

// expand turns a repository-level key ([RepoKey]) into one job per open
// pull request of the repository.
func (e *Engine) expand(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey) error {
	nums, err := e.cfg.Gatherer.OpenPRs(ctx, gh, key.Owner, key.Repo, "")
	if err != nil {
		return fmt.Errorf("expand %s/%s: %w", key.Owner, key.Repo, err)
	}
	now := e.now()
	for _, n := range nums {
		k := key
		k.Number = n
		if err := e.enqueue(ctx, k, now); err != nil {
			return fmt.Errorf("expand %s/%s: %w", key.Owner, key.Repo, err)
		}
	}
	log.Debug("repository expanded to its open pull requests", "open", len(nums))
	return nil
}

// Sweep enqueues a repository-level job for every repository of every
// installation of the App, so that anything a lost webhook missed is
// re-evaluated.
func (e *Engine) Sweep(ctx context.Context) error {
	app, err := e.cfg.Clients.App()
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	var installs []*github.Installation
	opts := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := app.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return fmt.Errorf("sweep: list installations: %w", err)
		}
		installs = append(installs, page...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	now := e.now()
	for _, in := range installs {
		gh, err := e.cfg.Clients.Installation(in.GetID())
		if err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
		repos, err := installationRepos(ctx, gh, in.GetID())
		if err != nil {
			// Fall back to the repositories seen since start.
			e.log.Warn("cannot list an installation's repositories; sweeping those seen so far", "installation", in.GetID(), "err", err)
			repos = e.knownRepos(in.GetID())
		}
		for _, k := range repos {
			if err := e.cfg.Queue.Enqueue(ctx, k, now); err != nil {
				return fmt.Errorf("sweep: %w", err)
			}
		}
	}
	return nil
}

// installationRepos lists the repositories an installation can access, as
// repository-level keys.
func installationRepos(ctx context.Context, gh *github.Client, id int64) ([]store.PRKey, error) {
	var out []store.PRKey
	opts := &github.ListOptions{PerPage: 100}
	for {
		repos, resp, err := gh.Apps.ListRepos(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list repositories of installation %d: %w", id, err)
		}
		for _, r := range repos.Repositories {
			out = append(out, RepoKey(id, r.GetOwner().GetLogin(), r.GetName()))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// knownRepos returns the repositories of an installation evaluated since
// start, sorted.
func (e *Engine) knownRepos(id int64) []store.PRKey {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []store.PRKey
	for k := range e.known {
		if k.Installation == id {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Owner+"/"+out[i].Repo < out[j].Owner+"/"+out[j].Repo })
	return out
}

// RunSweeper sweeps at once (webhooks may have been missed while the App
// was down) and then every interval, until ctx ends; errors are logged.
// An interval of zero disables sweeping.
func (e *Engine) RunSweeper(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := e.Sweep(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("sweep failed; retrying at the next interval", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Recover re-queues, at startup, the pull requests of executions a crash
// left in intent: the executor then reconciles each (a merge against the
// pull request's merged state; a dispatch becomes unknown, for a person).
func (e *Engine) Recover(ctx context.Context) error {
	xs, err := e.cfg.Store.Executions(ctx, store.ExecIntent)
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	now := e.now()
	for _, x := range xs {
		e.log.Info("execution left in intent; reconciling", "repo", x.Key.Owner+"/"+x.Key.Repo, "pr", x.Key.Number, "gate", x.Gate, "head", x.HeadSHA, "id", x.ID)
		if err := e.cfg.Queue.Enqueue(ctx, x.Key, now); err != nil {
			return fmt.Errorf("recover: %w", err)
		}
	}
	e.refreshUnknown(ctx)
	return nil
}
