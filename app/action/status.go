package action

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/report"
	"github.com/zgate-dev/zgate/policy"
)

// Commit status states.
const (
	StateSuccess = "success"
	StatePending = "pending"
	StateFailure = "failure"
	StateError   = "error"
)

// MaxDescription is GitHub's limit on a status description, in characters.
const MaxDescription = report.MaxStatusDescription

// Status is a commit status as zgate writes and compares it.
type Status struct {
	Context     string
	State       string
	Description string
}

// statusOf maps a gate decision to its commit status: skipped becomes
// success so that a required status never blocks a pull request the gate
// does not apply to.
func statusOf(gd policy.GateDecision, title string) Status {
	s := Status{Context: gd.Check, Description: title}
	if s.Context == "" {
		s.Context = policy.CheckPrefix + gd.Name
	}
	switch gd.State {
	case policy.StateSuccess:
		s.State = StateSuccess
	case policy.StatePending:
		s.State = StatePending
	case policy.StateSkipped:
		s.State = StateSuccess
		s.Description = gd.Summary
		if !strings.HasPrefix(s.Description, "skipped") {
			s.Description = "skipped: " + s.Description
		}
	case policy.StateError:
		s.State = StateError
	default: // failure and any state this code does not know: fail closed
		s.State = StateFailure
	}
	s.Description = report.OneLine(s.Description, MaxDescription)
	return s
}

// statuses reads the newest status per context on sha (the combined
// status, every page).
func statuses(ctx context.Context, gh *github.Client, owner, repo, sha string) (map[string]Status, error) {
	out := map[string]Status{}
	opts := &github.ListOptions{PerPage: 100}
	for {
		cs, resp, err := gh.Repositories.GetCombinedStatus(ctx, owner, repo, sha, opts)
		if err != nil {
			return nil, fmt.Errorf("read the statuses of %s/%s@%s: %w", owner, repo, sha, err)
		}
		for _, st := range cs.Statuses {
			if _, seen := out[st.GetContext()]; !seen {
				out[st.GetContext()] = Status{Context: st.GetContext(), State: st.GetState(), Description: st.GetDescription()}
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// writeStatus posts s on sha, linked to targetURL.
func writeStatus(ctx context.Context, gh *github.Client, owner, repo, sha, targetURL string, s Status) error {
	rs := &github.RepoStatus{State: &s.State, Context: &s.Context, Description: &s.Description}
	if targetURL != "" {
		rs.TargetURL = &targetURL
	}
	if _, _, err := gh.Repositories.CreateStatus(ctx, owner, repo, sha, rs); err != nil {
		return fmt.Errorf("write status %s=%s on %s/%s@%s: %w", s.Context, s.State, owner, repo, sha, err)
	}
	return nil
}
