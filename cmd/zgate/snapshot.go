package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/ghclient"
)

// snapshotFlags are `zgate snapshot`'s flags.
type snapshotFlags struct {
	repo, out, policy, githubURL, privateKey, trustedRoot, logLevel string
	pr                                                              int
	appID                                                           int64
}

// snapshotEnv maps flags to the variables they default to, as for
// `zgate action` (the GitHub URL) and `zgate serve` (App credentials).
func snapshotEnv() map[string]string {
	return map[string]string{
		"github-url":   "GITHUB_API_URL",
		"app-id":       "ZGATE_APP_ID",
		"private-key":  "ZGATE_PRIVATE_KEY",
		"trusted-root": "ZGATE_TRUSTED_ROOT",
		"log-level":    "ZGATE_LOG_LEVEL",
	}
}

// runSnapshot is `zgate snapshot`: it gathers the facts of a live pull
// request exactly as the App does (app/facts) and writes them as the
// snapshot document of docs/snapshot.md, for `zgate simulate`. Exit 0
// when written, 1 when GitHub could not be read, 2 on bad flags.
func runSnapshot(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("snapshot", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f snapshotFlags
	fs.StringVar(&f.repo, "repo", "", "owner/repo of the pull request (required)")
	fs.IntVar(&f.pr, "pr", 0, "pull request number (required)")
	fs.StringVar(&f.out, "out", "-", "file to write the snapshot to; - for stdout")
	fs.StringVar(&f.policy, "policy", "", "also gather what this policy file needs (a changed policy from the working tree), besides the base branch's")
	fs.StringVar(&f.githubURL, "github-url", ghclient.DefaultBaseURL, "GitHub REST API root (GITHUB_API_URL); GHES: https://HOST/api/v3")
	fs.Int64Var(&f.appID, "app-id", 0, "GitHub App id, with --private-key, when GITHUB_TOKEN is not set (ZGATE_APP_ID)")
	fs.StringVar(&f.privateKey, "private-key", "", "path of the App's PEM private key (ZGATE_PRIVATE_KEY)")
	fs.StringVar(&f.trustedRoot, "trusted-root", "", "Sigstore trusted root for verifying attestations (ZGATE_TRUSTED_ROOT); without it none are listed")
	fs.StringVar(&f.logLevel, "log-level", "warn", "debug, info, warn or error (ZGATE_LOG_LEVEL)")
	setUsage(fs, snapshotUsage)
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	gh, g, err := f.setup(ctx, fs, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate snapshot: %v\n", err)
		return exitUsage
	}
	owner, name, _ := strings.Cut(f.repo, "/")
	res, err := g.Gather(ctx, gh, owner, name, f.pr)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate snapshot: %v\n", err)
		return exitFailed
	}
	if res.Policy == nil && f.policy == "" {
		fmt.Fprintf(e.stderr, "zgate snapshot: %v; the snapshot lists only what every policy needs (give --policy FILE to gather for a new one)\n", res.PolicyErr)
	}
	snap := res.Facts
	at := res.At.UTC()
	snap.Now = &at
	b, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate snapshot: %v\n", err)
		return exitFailed
	}
	b = append(b, '\n')
	if f.out == "-" {
		_, err = e.stdout.Write(b)
	} else {
		err = os.WriteFile(f.out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate snapshot: write: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(e.stderr, "zgate snapshot: %s#%d at %s; base %s: policy %s, CODEOWNERS %s\n", f.repo, f.pr, res.HeadSHA, res.BaseRef, res.PolicyFile, orNone(res.CodeownersFile))
	return exitOK
}

const snapshotUsage = `usage: zgate snapshot --repo OWNER/REPO --pr N [--out FILE] [--policy FILE] [flags]

Writes the facts zgate gathers about a live pull request as a snapshot
(docs/snapshot.md), for: zgate simulate --policy FILE --snapshot FILE.
Authenticates with GITHUB_TOKEN, else as the App (--app-id, --private-key).`

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// setup checks the flags and builds the client and the gatherer: a token
// client from GITHUB_TOKEN, else the App's installation on the
// repository.
func (f *snapshotFlags) setup(ctx context.Context, fs *flag.FlagSet, e env) (*github.Client, *facts.Gatherer, error) {
	if err := applyEnv(fs, e.getenv, snapshotEnv()); err != nil {
		return nil, nil, err
	}
	owner, name, ok := strings.Cut(f.repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, nil, fmt.Errorf("--repo %q: want owner/repo", f.repo)
	}
	if f.pr <= 0 {
		return nil, nil, errors.New("--pr: want the pull request number")
	}
	log, err := newLogger(e.stderr, f.logLevel, "text")
	if err != nil {
		return nil, nil, err
	}
	src, err := facts.LoadAttestSource(f.trustedRoot)
	if err != nil {
		return nil, nil, err
	}
	g := &facts.Gatherer{Logger: log, Attestations: src, Pushes: facts.SuitePushes{}}
	if f.policy != "" {
		p, err := readSimulatePolicy(f.policy)
		if err != nil {
			return nil, nil, err
		}
		g.Also = p
	}
	if token := e.getenv("GITHUB_TOKEN"); token != "" {
		gh, err := ghclient.NewTokenClientConfig(ghclient.Config{BaseURL: f.githubURL, Logger: log}, ghclient.Token(token))
		if err != nil {
			return nil, nil, fmt.Errorf("GitHub client: %w", err)
		}
		return gh, g, nil
	}
	if f.appID <= 0 || f.privateKey == "" {
		return nil, nil, errors.New("no credentials: set GITHUB_TOKEN, or give the App's --app-id and --private-key (ZGATE_APP_ID, ZGATE_PRIVATE_KEY)")
	}
	key, err := os.ReadFile(f.privateKey)
	if err != nil {
		return nil, nil, fmt.Errorf("read the App's private key: %w", err)
	}
	apps, err := ghclient.New(ghclient.Config{BaseURL: f.githubURL, AppID: f.appID, PrivateKey: ghclient.PrivateKey(key), Logger: log})
	if err != nil {
		return nil, nil, fmt.Errorf("GitHub client: %w", err)
	}
	appClient, err := apps.App()
	if err != nil {
		return nil, nil, fmt.Errorf("GitHub client: %w", err)
	}
	inst, _, err := appClient.Apps.FindRepositoryInstallation(ctx, owner, name)
	if err != nil {
		return nil, nil, fmt.Errorf("the App's installation on %s: %w", f.repo, err)
	}
	gh, err := apps.Installation(inst.GetID())
	if err != nil {
		return nil, nil, fmt.Errorf("GitHub client for installation %s: %w", strconv.FormatInt(inst.GetID(), 10), err)
	}
	return gh, g, nil
}
