package report

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/ghjson"
)

// checkRunsAccept is the media type go-github sends for check runs.
const checkRunsAccept = "application/vnd.github.antiope-preview+json"

// updateCheckRun is go-github's UpdateCheckRun without decoding the
// answer (a check run with its app, pull requests and output): the
// publisher reads nothing from it, and decoding it on every write was a
// visible share of an evaluation's CPU. The body is read to its end so
// the connection is reused.
func updateCheckRun(ctx context.Context, gh *github.Client, owner, repo string, id int64, opts github.UpdateCheckRunOptions) (*github.Response, error) {
	req, err := gh.NewRequest("PATCH", fmt.Sprintf("repos/%v/%v/check-runs/%v", owner, repo, id), opts)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", checkRunsAccept)
	return gh.Do(ctx, req, io.Discard)
}

// createCheckRun is go-github's CreateCheckRun decoding only the new run's
// id, the one field the publisher reads, with ghjson (one pass that skips
// the rest of the run: its app, pull requests and output) rather than
// go-github's encoding/json decoder.
func createCheckRun(ctx context.Context, gh *github.Client, owner, repo string, opts github.CreateCheckRunOptions) (int64, *github.Response, error) {
	req, err := gh.NewRequest("POST", fmt.Sprintf("repos/%v/%v/check-runs", owner, repo), opts)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", checkRunsAccept)
	var body bytes.Buffer
	resp, err := gh.Do(ctx, req, &body)
	if err != nil {
		return 0, resp, err
	}
	var run struct {
		ID int64 `json:"id"`
	}
	if err := ghjson.Unmarshal(body.Bytes(), &run); err != nil {
		return 0, resp, fmt.Errorf("decode the new check run: %w", err)
	}
	if run.ID == 0 {
		return 0, resp, fmt.Errorf("GitHub answered no check run id")
	}
	return run.ID, resp, nil
}
