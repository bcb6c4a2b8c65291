package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/zgate-dev/zgate/app/action"
	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient"
)

// actionFlags are `zgate action`'s flags. Each defaults to the variable
// GitHub Actions sets (the flag wins); docs/action.md documents them.
type actionFlags struct {
	eventName, eventPath, repo, githubURL, trustedRoot, logLevel, identity string
	dryRun                                                                 bool
}

// actionEnv maps each flag of `zgate action` to the environment variable
// it defaults to.
func actionEnv() map[string]string {
	return map[string]string{
		"event-name":   "GITHUB_EVENT_NAME",
		"event-path":   "GITHUB_EVENT_PATH",
		"repo":         "GITHUB_REPOSITORY",
		"github-url":   "GITHUB_API_URL",
		"trusted-root": "ZGATE_TRUSTED_ROOT",
		"log-level":    "ZGATE_LOG_LEVEL",
		"identity":     "ZGATE_IDENTITY",
	}
}

// runAction is `zgate action`: one run of the engine inside a GitHub
// Actions job. Exit 0 when it ran (whatever the gates say), 1 when a
// policy is unloadable (after reporting it) or Z failed, 2 on bad
// configuration or arguments.
func runAction(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("action", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f actionFlags
	fs.StringVar(&f.eventName, "event-name", "", "event that triggered the workflow (GITHUB_EVENT_NAME)")
	fs.StringVar(&f.eventPath, "event-path", "", "path of the event payload (GITHUB_EVENT_PATH)")
	fs.StringVar(&f.repo, "repo", "", "owner/repo (GITHUB_REPOSITORY)")
	fs.StringVar(&f.githubURL, "github-url", ghclient.DefaultBaseURL, "GitHub REST API root (GITHUB_API_URL); GHES: https://HOST/api/v3")
	fs.StringVar(&f.trustedRoot, "trusted-root", "", "Sigstore trusted root (JSON or JSONL) for attestation controls (ZGATE_TRUSTED_ROOT)")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error (ZGATE_LOG_LEVEL)")
	fs.StringVar(&f.identity, "identity", "", "login the token's statuses are created by, whose dispatch markers are trusted (ZGATE_IDENTITY); default github-actions[bot] with GITHUB_TOKEN, else learnt from this run's own markers")
	fs.BoolVar(&f.dryRun, "dry-run", false, "decide and report, never merge or dispatch")
	setUsage(fs, "usage: zgate action [flags]\n\nRuns zgate inside a GitHub Actions job with the workflow's token (ZGATE_TOKEN or GITHUB_TOKEN).\nEvery flag defaults to the variable named beside it (docs/action.md).")
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	cfg, closeSummary, err := f.config(fs, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate action: %v\n", err)
		return exitUsage
	}
	res, err := action.Run(ctx, cfg)
	if cerr := closeSummary(); cerr != nil {
		fmt.Fprintf(e.stderr, "zgate action: job summary: %v\n", cerr)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate action: %v\n", err)
		if errors.Is(err, action.ErrConfig) {
			return exitUsage
		}
		return exitFailed
	}
	printActionResult(e.stdout, res, inGitHubActions(e))
	if res.Failed() {
		return exitFailed
	}
	return exitOK
}

// config reads the environment under the flags and builds the run's
// configuration; closeSummary closes the job summary file.
func (f *actionFlags) config(fs *flag.FlagSet, e env) (cfg action.Config, closeSummary func() error, err error) {
	closeSummary = func() error { return nil }
	if err := applyEnv(fs, e.getenv, actionEnv()); err != nil {
		return cfg, closeSummary, err
	}
	// Text, which the Actions log shows as is.
	log, err := newLogger(e.stderr, f.logLevel, "text")
	if err != nil {
		return cfg, closeSummary, err
	}
	token := e.getenv("ZGATE_TOKEN")
	if token == "" {
		token = e.getenv("GITHUB_TOKEN")
		if f.identity == "" {
			f.identity = workflowTokenIdentity
		}
	}
	switch {
	case token == "":
		return cfg, closeSummary, errors.New("no token: set ZGATE_TOKEN or GITHUB_TOKEN (the action passes its token input)")
	case f.eventName == "":
		return cfg, closeSummary, errors.New("no event name: --event-name or GITHUB_EVENT_NAME")
	case f.repo == "":
		return cfg, closeSummary, errors.New("no repository: --repo or GITHUB_REPOSITORY (owner/repo)")
	}
	var payload []byte
	if f.eventPath != "" {
		if payload, err = os.ReadFile(f.eventPath); err != nil {
			return cfg, closeSummary, fmt.Errorf("read the event payload: %w", err)
		}
	}
	src, err := facts.LoadAttestSource(f.trustedRoot)
	if err != nil {
		return cfg, closeSummary, err
	}
	gatherer := &facts.Gatherer{Logger: log, Attestations: src,
		Pushes: facts.SuitePushes{Event: action.EventPusher(f.eventName, payload)}}
	gh, err := ghclient.NewTokenClientConfig(ghclient.Config{BaseURL: f.githubURL, Logger: log}, ghclient.Token(token))
	if err != nil {
		return cfg, closeSummary, fmt.Errorf("GitHub client: %w", err)
	}
	runID := e.getenv("GITHUB_RUN_ID")
	cfg = action.Config{
		Client:     gh,
		Repository: f.repo,
		EventName:  f.eventName,
		Event:      payload,
		RunURL:     runURL(e.getenv("GITHUB_SERVER_URL"), f.repo, runID),
		DryRun:     f.dryRun,
		Gatherer:   gatherer,
		Logger:     log,
		NewID:      func() (string, error) { return executionID(runID) },
		Identity:   f.identity,
	}
	if path := e.getenv("GITHUB_STEP_SUMMARY"); path != "" {
		file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return cfg, closeSummary, fmt.Errorf("open the job summary: %w", err)
		}
		cfg.Summary, closeSummary = file, file.Close
	}
	return cfg, closeSummary, nil
}

// workflowTokenIdentity is the creator of what the workflow's own token
// (GITHUB_TOKEN) writes.
const workflowTokenIdentity = "github-actions[bot]"

// runURL is the workflow run's page, "" without a run id.
func runURL(server, repo, runID string) string {
	if runID == "" {
		return ""
	}
	if server == "" {
		server = "https://github.com"
	}
	return strings.TrimRight(server, "/") + "/" + repo + "/actions/runs/" + runID
}

// executionID names a dispatch after the workflow run that sent it, plus
// randomness (a re-run keeps the run id).
func executionID(runID string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random execution id: %w", err)
	}
	if runID == "" {
		return "zg-" + hex.EncodeToString(b[:]), nil
	}
	return "zg-" + runID + "-" + hex.EncodeToString(b[:]), nil
}

// printActionResult prints one line per gate reported, and the policy
// check's; inside GitHub Actions also the policy check's annotations as
// workflow commands.
func printActionResult(w io.Writer, res action.Result, annotate bool) {
	fmt.Fprintf(w, "zgate: %s\n", res.Target.Why)
	if g := res.MergeGroup; g != nil {
		for _, s := range g.Statuses {
			fmt.Fprintf(w, "merge group %.7s %q %s: %s\n", g.HeadSHA, s.Context, s.State, s.Description)
		}
		if g.Err != nil {
			fmt.Fprintf(w, "merge group %.7s: not judged: %v\n", g.HeadSHA, g.Err)
		}
	}
	for _, pr := range res.PRs {
		if s := pr.PolicyCheck; s != nil {
			fmt.Fprintf(w, "#%d %q %s: %s\n", pr.Number, s.Context, s.State, s.Description)
		}
		for _, a := range pr.PolicyAnnotations {
			if annotate {
				fmt.Fprintln(w, workflowCommand(workflowLevel(a.Level), a.Path, a.StartLine, a.StartColumn, a.Message))
			}
		}
		switch {
		case pr.Err != nil:
			fmt.Fprintf(w, "#%d: not evaluated: %v\n", pr.Number, pr.Err)
			continue
		case pr.Skipped != "":
			fmt.Fprintf(w, "#%d: %s\n", pr.Number, pr.Skipped)
			continue
		}
		for _, g := range pr.Gates {
			line := fmt.Sprintf("#%d %q %s: %s", pr.Number, g.Status.Context, g.Status.State, g.Status.Description)
			if g.Z != nil {
				line += fmt.Sprintf(" (Z %s %s: %s)", g.Z.Kind, g.Z.ID, g.Z.Status)
			}
			fmt.Fprintln(w, line)
		}
	}
}
