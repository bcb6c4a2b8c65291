package report

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/store"
)

// FingerprintStore remembers the check run last written per commit and
// check name, with its status; *store.Store implements it. Knowing the
// status spares a GET before each update (is the run completed?).
type FingerprintStore interface {
	CheckRun(ctx context.Context, owner, repo, sha, check string) (store.CheckRunState, error)
	SetCheckRun(ctx context.Context, owner, repo, sha, check string, st store.CheckRunState) error
}

// Publisher writes check runs, skipping unchanged ones.
type Publisher struct {
	// Store remembers fingerprints; nil writes every time.
	Store FingerprintStore
	// Logger receives diagnostics; discarded when nil.
	Logger *slog.Logger
}

// Publish creates or updates the check run c.Name on commit sha. changed
// is false when the stored fingerprint shows GitHub already has this
// content (no call is made). A check run the store knows but GitHub lost
// is created anew.
func (p *Publisher) Publish(ctx context.Context, gh *github.Client, owner, repo, sha string, c Content) (runID int64, changed bool, err error) {
	if c.Name == "" || sha == "" {
		return 0, false, errors.New("publish check run: name and head SHA are required")
	}
	var known store.CheckRunState
	if p.Store != nil {
		st, err := p.Store.CheckRun(ctx, owner, repo, sha, c.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return 0, false, fmt.Errorf("publish check run %s: %w", c.Name, err)
		case st.RunID != 0 && st.Fingerprint == c.Fingerprint:
			return st.RunID, false, nil
		default:
			known, runID = st, st.RunID
		}
	}
	var superseded int64
	switch {
	case runID == 0:
	case len(c.Annotations) > 0:
		// GitHub appends the annotations of every update to the run's:
		// rewriting an annotated run would show old and new problems at
		// once. A new run replaces it.
		superseded, runID = runID, 0
	case c.Status != StatusCompleted && known.Status == StatusCompleted:
		// GitHub refuses to reopen a completed check run, or reopens it
		// keeping the old conclusion: a stale "success" must never stay
		// visible while the gate is pending. Start a new run instead.
		superseded, runID = runID, 0
	case c.Status != StatusCompleted && known.Status == "":
		// The status is unknown (recorded before statuses were kept, or a
		// completion whose outcome was not recorded): ask GitHub.
		old, resp, err := gh.Checks.GetCheckRun(ctx, owner, repo, runID)
		switch {
		case err != nil && !recreatable(resp):
			return 0, false, fmt.Errorf("read check run %s (%d) on %s/%s@%s: %w", c.Name, runID, owner, repo, sha, err)
		case err != nil:
			runID = 0
		case old.GetStatus() == StatusCompleted:
			superseded, runID = runID, 0
		}
	case c.Status == StatusCompleted && known.Status != StatusCompleted && p.Store != nil:
		// Completing the run: should the outcome go unrecorded (a crash, a
		// store error), a later pending update must neither trust a stale
		// "in progress" and reopen it, nor take the old fingerprint for
		// what GitHub shows. Mark status and content unknown first.
		known.Status, known.Fingerprint = "", ""
		if err := p.Store.SetCheckRun(ctx, owner, repo, sha, c.Name, known); err != nil {
			return 0, false, fmt.Errorf("publish check run %s: %w", c.Name, err)
		}
	}
	if runID != 0 {
		resp, err := updateCheckRun(ctx, gh, owner, repo, runID, updateOptions(c))
		if err != nil && !recreatable(resp) {
			return 0, false, fmt.Errorf("update check run %s (%d) on %s/%s@%s: %w", c.Name, runID, owner, repo, sha, err)
		}
		if err != nil {
			// Gone, or GitHub refuses the transition (a completed run back
			// to in_progress): the newest run of a name is the one that
			// counts, so a new run replaces it.
			p.logger().WarnContext(ctx, "check run not updatable; creating a new one", "check", c.Name, "run_id", runID, "err", err)
			runID = 0
		}
	}
	if runID == 0 {
		batches := annotationBatches(c.Annotations)
		opts := createOptions(sha, c)
		if len(batches) > 0 {
			opts.Output.Annotations = batches[0]
		}
		id, _, err := createCheckRun(ctx, gh, owner, repo, opts)
		if err != nil {
			return 0, false, fmt.Errorf("create check run %s on %s/%s@%s: %w", c.Name, owner, repo, sha, err)
		}
		runID = id
		// The rest, 50 per request. Should one fail, the fingerprint is
		// not recorded and the next publish writes a whole new run.
		for i := 1; i < len(batches); i++ {
			up := updateOptions(c)
			up.Output.Annotations = batches[i]
			if _, err := updateCheckRun(ctx, gh, owner, repo, runID, up); err != nil {
				return 0, false, fmt.Errorf("annotate check run %s (%d) on %s/%s@%s (request %d of %d): %w", c.Name, runID, owner, repo, sha, i+1, len(batches), err)
			}
		}
	}
	if superseded != 0 {
		p.supersede(ctx, gh, owner, repo, superseded, c.Name, runID)
	}
	if p.Store != nil {
		if err := p.Store.SetCheckRun(ctx, owner, repo, sha, c.Name, store.CheckRunState{RunID: runID, Fingerprint: c.Fingerprint, Status: c.Status}); err != nil {
			// GitHub has the new content; the next publish rewrites it once.
			return runID, true, fmt.Errorf("record check run %s fingerprint: %w", c.Name, err)
		}
	}
	return runID, true, nil
}

// supersede marks an old completed run cancelled, so that no view of the
// commit shows its conclusion as current. The new run already decides:
// GitHub counts the newest run of a name; a failure here is only logged.
func (p *Publisher) supersede(ctx context.Context, gh *github.Client, owner, repo string, old int64, name string, newID int64) {
	_, err := updateCheckRun(ctx, gh, owner, repo, old, github.UpdateCheckRunOptions{
		Name:       name,
		Status:     github.String(StatusCompleted),
		Conclusion: github.String("cancelled"),
		Output: &github.CheckRunOutput{
			Title:   github.String("Superseded"),
			Summary: github.String(fmt.Sprintf("Superseded by check run %d: the gate was re-evaluated.", newID)),
		},
	})
	if err != nil {
		p.logger().WarnContext(ctx, "cannot mark superseded check run cancelled", "check", name, "run_id", old, "err", err)
	}
}

func recreatable(resp *github.Response) bool {
	return resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusUnprocessableEntity)
}

func (p *Publisher) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

func output(c Content) *github.CheckRunOutput {
	return &github.CheckRunOutput{Title: github.String(c.Title), Summary: github.String(c.Summary)}
}

func createOptions(sha string, c Content) github.CreateCheckRunOptions {
	o := github.CreateCheckRunOptions{
		Name:    c.Name,
		HeadSHA: sha,
		Status:  github.String(c.Status),
		Output:  output(c),
	}
	if c.DetailsURL != "" {
		o.DetailsURL = github.String(c.DetailsURL)
	}
	if !c.At.IsZero() {
		ts := &github.Timestamp{Time: c.At}
		o.StartedAt = ts
		if c.Status == StatusCompleted {
			o.CompletedAt = ts
		}
	}
	if c.Status == StatusCompleted {
		o.Conclusion = github.String(c.Conclusion)
	}
	return o
}

func updateOptions(c Content) github.UpdateCheckRunOptions {
	o := github.UpdateCheckRunOptions{
		Name:   c.Name,
		Status: github.String(c.Status),
		Output: output(c),
	}
	if c.DetailsURL != "" {
		o.DetailsURL = github.String(c.DetailsURL)
	}
	if c.Status == StatusCompleted {
		o.Conclusion = github.String(c.Conclusion)
		if !c.At.IsZero() {
			o.CompletedAt = &github.Timestamp{Time: c.At}
		}
	}
	return o
}
