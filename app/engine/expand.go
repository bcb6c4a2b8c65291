package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
)

// expand turns a repository-level key (Number 0) into one job per open
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
		if err := e.cfg.Queue.Enqueue(ctx, k, now); err != nil {
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
		ropts := &github.ListOptions{PerPage: 100}
		for {
			repos, resp, err := gh.Apps.ListRepos(ctx, ropts)
			if err != nil {
				return fmt.Errorf("sweep: list repositories of installation %d: %w", in.GetID(), err)
			}
			for _, r := range repos.Repositories {
				k := store.PRKey{Installation: in.GetID(), Owner: r.GetOwner().GetLogin(), Repo: r.GetName()}
				if err := e.cfg.Queue.Enqueue(ctx, k, now); err != nil {
					return fmt.Errorf("sweep: %w", err)
				}
			}
			if resp.NextPage == 0 {
				break
			}
			ropts.Page = resp.NextPage
		}
	}
	return nil
}

// RunSweeper sweeps every interval until ctx ends; errors are logged.
func (e *Engine) RunSweeper(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := e.Sweep(ctx); err != nil && ctx.Err() == nil {
				e.log.Warn("sweep failed; retrying at the next interval", "err", err)
			}
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
