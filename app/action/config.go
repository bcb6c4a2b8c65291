package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
)

// ErrConfig is wrapped by every error about the configuration or the
// event (exit code 2 in cmd/zgate).
var ErrConfig = errors.New("bad action configuration")

// Gatherer reads the facts of pull requests (*facts.Gatherer).
type Gatherer interface {
	Gather(ctx context.Context, gh *github.Client, owner, repo string, number int) (*facts.Result, error)
	OpenPRs(ctx context.Context, gh *github.Client, owner, repo, base string) ([]int, error)
}

// Config is one run of the Action. Client, Repository and EventName are
// required.
type Config struct {
	// Client talks to GitHub with the workflow's token.
	Client *github.Client
	// Repository is "owner/repo" (GITHUB_REPOSITORY).
	Repository string
	// EventName is GITHUB_EVENT_NAME; Event is the event payload
	// (the file GITHUB_EVENT_PATH names).
	EventName string
	Event     []byte
	// RunURL links every status to the workflow run; optional.
	RunURL string
	// DryRun decides and reports but never runs Z.
	DryRun bool
	// Gatherer reads facts; when nil, a facts.Gatherer without
	// attestations whose pushers are the event's ([EventPusher]) and whose
	// head-seen time comes from check suites (facts.SuitePushes).
	Gatherer Gatherer
	// Summary receives the Markdown report (GITHUB_STEP_SUMMARY); nil for
	// none.
	Summary io.Writer
	// Logger receives diagnostics; discarded when nil.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil. Only app reads the clock.
	Now func() time.Time
	// Identity is the login GitHub shows as the creator of the statuses
	// this token writes: "github-actions[bot]" for the workflow token,
	// "<app-slug>[bot]" for a GitHub App's. Only marker statuses by it are
	// records of a dispatch (anyone with write access can post a status).
	// Empty: learnt from the first marker this run writes; until then no
	// marker is trusted and the claim ref alone decides, which is safe
	// but can leave an interrupted dispatch unreported.
	Identity string
	// NewID returns a fresh execution id for a dispatch (the zgate_id);
	// random when nil.
	NewID func() (string, error)
}

// check validates c and splits the repository.
func (c *Config) check() (owner, repo string, err error) {
	if c.Client == nil {
		return "", "", fmt.Errorf("%w: no GitHub client", ErrConfig)
	}
	owner, repo, ok := strings.Cut(c.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return "", "", fmt.Errorf("%w: repository %q is not owner/repo", ErrConfig, c.Repository)
	}
	if c.EventName == "" {
		return "", "", fmt.Errorf("%w: no event name", ErrConfig)
	}
	return owner, repo, nil
}
