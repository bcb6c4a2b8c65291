package server

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/deploy"
	"github.com/zgate-dev/zgate/app/store"
)

// handleDeploymentProtectionRule keeps a deployment that waits on zgate's
// custom deployment protection rule and queues the evaluation of the
// repository's pending deployments, which answers GitHub
// (docs/deployments.md).
func handleDeploymentProtectionRule(s *Server, _ *slog.Logger, body []byte) (outcome, error) {
	ev, err := decode[github.DeploymentProtectionRuleEvent](body)
	if err != nil {
		return outcome{}, err
	}
	if a := ev.GetAction(); a != "requested" {
		return ignore("deployment_protection_rule action %q", a)
	}
	k, err := prKey(ev.Installation, ev.Repo, deploy.Number)
	if err != nil {
		return outcome{}, err
	}
	runID, err := callbackRun(ev.GetDeploymentCallbackURL())
	if err != nil {
		return outcome{}, err
	}
	dep := ev.GetDeployment()
	d := store.Deployment{
		Installation: k.Installation, Owner: k.Owner, Repo: k.Repo, RunID: runID,
		Environment: ev.GetEnvironment(), DeploymentID: dep.GetID(), SHA: strings.ToLower(dep.GetSHA()), Ref: dep.GetRef(),
		Deployer: dep.GetCreator().GetLogin(), Requested: dep.GetCreatedAt().Time, Received: s.cfg.Now(),
	}
	if d.Deployer == "" || isBot(dep.GetCreator()) {
		// Who triggered the run is who deploys when the creator is a
		// bot (or absent): they cannot approve their own deployment.
		d.Deployer = ev.GetSender().GetLogin()
	}
	if d.Environment == "" || d.SHA == "" || d.Requested.IsZero() {
		return outcome{}, fmt.Errorf("%w: deployment_protection_rule without environment, deployment SHA or creation time", errCannotAct)
	}
	return outcome{keys: []store.PRKey{k}, deployments: []store.Deployment{d}}, nil
}

// callbackRun returns the workflow run id of a deployment_callback_url,
// ".../repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule".
func callbackRun(url string) (int64, error) {
	rest, ok := strings.CutSuffix(url, "/deployment_protection_rule")
	i := strings.LastIndex(rest, "/actions/runs/")
	if !ok || i < 0 {
		return 0, fmt.Errorf("%w: deployment_callback_url %q names no workflow run", errCannotAct, url)
	}
	id, err := strconv.ParseInt(rest[i+len("/actions/runs/"):], 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: deployment_callback_url %q names no workflow run", errCannotAct, url)
	}
	return id, nil
}
