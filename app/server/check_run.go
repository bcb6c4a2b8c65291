package server

import (
	"log/slog"

	"github.com/google/go-github/v62/github"
)

// handleCheckRun re-evaluates the pull requests of a zgate check run that
// a person asked to re-run. Every other check run event is either the
// App's own write or another app's CI, which zgate does not count.
func handleCheckRun(s *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[checkPayload](body)
	if err != nil {
		return outcome{}, err
	}
	cr := ev.CheckRun
	switch a := ev.Action; a {
	case "rerequested", "requested_action":
	default:
		return ignore("check_run action %q", a)
	}
	if cr.appID() != s.cfg.AppID {
		return ignore("check run of another app")
	}
	return many(ev.Installation.gh(), ev.Repo.gh(), payloadPulls(cr.pulls()))
}

// handleCheckSuite re-evaluates the pull requests of a zgate check suite a
// person asked to re-run.
func handleCheckSuite(s *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[checkPayload](body)
	if err != nil {
		return outcome{}, err
	}
	if a := ev.Action; a != "rerequested" {
		return ignore("check_suite action %q", a)
	}
	cs := ev.CheckSuite
	if cs.appID() != s.cfg.AppID {
		return ignore("check suite of another app")
	}
	return many(ev.Installation.gh(), ev.Repo.gh(), payloadPulls(cs.pulls()))
}

// many returns the outcome "re-evaluate these pull requests".
func many(inst *github.Installation, repo *github.Repository, prs []*github.PullRequest) (outcome, error) {
	var out outcome
	for _, pr := range prs {
		k, err := prKey(inst, repo, pr.GetNumber())
		if err != nil {
			return outcome{}, err
		}
		if k.Number > 0 {
			out.keys = append(out.keys, k)
		}
	}
	if len(out.keys) == 0 {
		return ignore("no pull requests in the payload")
	}
	return out, nil
}
