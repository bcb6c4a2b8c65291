package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
)

// InstallationRepo is the repository name of an installation-level key: a
// job that means "re-evaluate every open pull request of every repository
// of this installation". GitHub repository names are letters, digits,
// '.', '-' and '_', so "*" names none.
const InstallationRepo = "*"

// InstallationKey is the installation-level key of installation id on
// account (the organization or user it is installed on, for logs).
func InstallationKey(id int64, account string) store.PRKey {
	return store.PRKey{Installation: id, Owner: account, Repo: InstallationRepo, Number: RepoNumber}
}

// IsInstallationKey reports whether k names a whole installation.
func IsInstallationKey(k store.PRKey) bool { return k.Repo == InstallationRepo && IsRepoKey(k) }

// expandInstallation turns an installation-level key into a
// repository-level job per repository of the installation, as GitHub
// lists them; when it cannot, those evaluated since start, and the job
// fails to be retried. Membership
// changes use it: who may approve changed, so every gate of the
// installation may have.
func (e *Engine) expandInstallation(ctx context.Context, log *slog.Logger, gh *github.Client, key store.PRKey) error {
	repos, listErr := installationRepos(ctx, gh, key.Installation)
	if listErr != nil {
		// Re-evaluate what is known now, and fail the job so the queue
		// tries the full list again.
		repos = e.knownRepos(key.Installation)
	}
	now := e.now()
	for _, k := range repos {
		if err := e.enqueue(ctx, k, now); err != nil {
			return fmt.Errorf("expand installation %d: %w", key.Installation, err)
		}
	}
	if listErr != nil {
		return fmt.Errorf("expand installation %d (re-evaluating the %d repositories seen so far meanwhile): %w", key.Installation, len(repos), listErr)
	}
	log.Info("installation expanded to its repositories", "repositories", len(repos))
	return nil
}
