package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/ghclient"
)

// serveFlags are `zgate serve`'s flags; each is also read from the
// environment variable named beside it (the flag wins). docs/config.md
// documents them.
type serveFlags struct {
	listen, privateKey, secret, secretFile, githubURL, database string
	trustedRoot, logLevel, logFormat, botLogin                  string
	auditKeyFile, auditCheckpointFile                           string
	appID                                                       int64
	sweep, membershipTTL, jobLease, auditCheckpointEvery        durationValue
	workers, githubCacheMB                                      int
	intake                                                      intakeFlags
	memory                                                      memoryFlags
	web                                                         webFlags
	decision                                                    decisionFlags
	rotation                                                    rotationFlags
}

// serveEnv maps each flag of `zgate serve` to its environment variable.
func serveEnv() map[string]string {
	m := map[string]string{
		"listen":                    "ZGATE_LISTEN",
		"app-id":                    "ZGATE_APP_ID",
		"private-key":               "ZGATE_PRIVATE_KEY",
		"webhook-secret":            "ZGATE_WEBHOOK_SECRET",
		"webhook-secret-file":       "ZGATE_WEBHOOK_SECRET_FILE",
		"github-url":                "ZGATE_GITHUB_URL",
		"database":                  "ZGATE_DATABASE",
		"trusted-root":              "ZGATE_TRUSTED_ROOT",
		"log-level":                 "ZGATE_LOG_LEVEL",
		"log-format":                "ZGATE_LOG_FORMAT",
		"bot-login":                 "ZGATE_BOT_LOGIN",
		"sweep-interval":            "ZGATE_SWEEP_INTERVAL",
		"membership-ttl":            "ZGATE_MEMBERSHIP_TTL",
		"workers":                   "ZGATE_WORKERS",
		"github-cache-mb":           "ZGATE_GITHUB_CACHE_MB",
		"job-lease":                 "ZGATE_JOB_LEASE",
		"audit-key-file":            "ZGATE_AUDIT_KEY_FILE",
		"audit-checkpoint-file":     "ZGATE_AUDIT_CHECKPOINT_FILE",
		"audit-checkpoint-interval": "ZGATE_AUDIT_CHECKPOINT_INTERVAL",
	}
	for name, env := range intakeEnv() {
		m[name] = env
	}
	for name, env := range memoryEnv() {
		m[name] = env
	}
	maps.Copy(m, webEnv())
	maps.Copy(m, decisionEnv())
	for name, env := range rotationEnv() {
		m[name] = env
	}
	return m
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.listen, "listen", app.DefaultListen, "HTTP listen address")
	fs.Int64Var(&f.appID, "app-id", 0, "GitHub App id (required)")
	fs.StringVar(&f.privateKey, "private-key", "", "path of the App's PEM private key, PKCS#1 or PKCS#8 (required)")
	fs.StringVar(&f.secret, "webhook-secret", "", "webhook secret (this or --webhook-secret-file is required)")
	fs.StringVar(&f.secretFile, "webhook-secret-file", "", "path of a file holding the webhook secret")
	fs.StringVar(&f.githubURL, "github-url", app.DefaultGitHubURL, "GitHub REST API root; GHES: https://HOST/api/v3/")
	fs.StringVar(&f.database, "database", app.DefaultDatabase, `store: "sqlite:PATH" or "postgres://..."`)
	fs.StringVar(&f.trustedRoot, "trusted-root", "", "Sigstore trusted root (JSON or JSONL) for attestation controls")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "json", "json or text")
	fs.StringVar(&f.botLogin, "bot-login", "", `the App's bot login ("zgate[bot]"), whose events are ignored`)
	f.sweep = durationValue(app.DefaultSweepInterval)
	fs.Var(&f.sweep, "sweep-interval", "re-evaluate every open pull request this often; 0 disables")
	f.membershipTTL = durationValue(app.DefaultMembershipTTL)
	fs.Var(&f.membershipTTL, "membership-ttl", "how long team membership is cached")
	fs.IntVar(&f.workers, "workers", app.DefaultWorkers, "pull requests evaluated at once")
	fs.IntVar(&f.githubCacheMB, "github-cache-mb", app.DefaultGitHubCacheMB, "memory for GitHub answers kept for conditional requests, in MB; negative disables")
	f.jobLease = durationValue(app.DefaultJobLease)
	fs.Var(&f.jobLease, "job-lease", "how long a worker holds a job; a crashed process's jobs run again after it")
	fs.StringVar(&f.auditKeyFile, "audit-key-file", "", "file holding the audit log's HMAC key (32 bytes or more); without one the log is not keyed")
	fs.StringVar(&f.auditCheckpointFile, "audit-checkpoint-file", "", "file to append audit checkpoints to (keep it off the database host)")
	f.auditCheckpointEvery = durationValue(app.DefaultAuditCheckpointInterval)
	fs.Var(&f.auditCheckpointEvery, "audit-checkpoint-interval", "how often the audit log's head is checkpointed, when it grew; 0 only at start and stop")
	f.intake.register(fs)
	f.memory.register(fs)
	f.web.register(fs)
	f.decision.register(fs)
	f.rotation.register(fs)
}

// runServe is `zgate serve`: it runs the GitHub App until SIGINT/SIGTERM.
// Exit 2 when the configuration is unusable, 1 when serving fails.
func runServe(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f serveFlags
	f.register(fs)
	setUsage(fs, "usage: zgate serve [flags]\n\nRuns the GitHub App. Every flag is also read from its ZGATE_ variable (docs/config.md).")
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	if err := applyEnv(fs, e.getenv, serveEnv()); err != nil {
		fmt.Fprintf(e.stderr, "zgate serve: %v\n", err)
		return exitUsage
	}
	o, err := f.options(e.stderr)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate serve: %v\n", err)
		return exitUsage
	}
	stopTracing, err := startTracing(&o, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate serve: %v\n", err)
		return exitUsage
	}
	defer stopTracing()
	if limit, ok := f.memory.memoryLimit(fs, e.getenv, f.githubCacheMB); ok && e.setMemoryLimit != nil {
		e.setMemoryLimit(limit)
	}
	if err := app.Run(ctx, o); err != nil {
		fmt.Fprintf(e.stderr, "zgate serve: %v\n", err)
		if errors.Is(err, app.ErrConfig) {
			return exitUsage
		}
		return exitFailed
	}
	return exitOK
}

// options turns the flags into app.Options, reading the key and secret
// files, and refuses what cannot work.
func (f *serveFlags) options(stderr io.Writer) (app.Options, error) {
	log, err := newLogger(stderr, f.logLevel, f.logFormat)
	if err != nil {
		return app.Options{}, err
	}
	if f.appID <= 0 {
		return app.Options{}, errors.New("the app id is required: --app-id or ZGATE_APP_ID")
	}
	if f.privateKey == "" {
		return app.Options{}, errors.New("the App's private key is required: --private-key or ZGATE_PRIVATE_KEY (a PEM file)")
	}
	key, err := os.ReadFile(f.privateKey)
	if err != nil {
		return app.Options{}, fmt.Errorf("read the App's private key: %w", err)
	}
	secret, err := secretFlag(f.secret, f.secretFile, "webhook-secret", "webhook secret")
	if err != nil {
		return app.Options{}, err
	}
	if secret == "" {
		return app.Options{}, errors.New("the webhook secret is required: --webhook-secret, --webhook-secret-file, ZGATE_WEBHOOK_SECRET or ZGATE_WEBHOOK_SECRET_FILE")
	}
	var auditKey *audit.Key
	if f.auditKeyFile != "" {
		if auditKey, err = readAuditKey(f.auditKeyFile); err != nil {
			return app.Options{}, err
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	o := app.Options{
		Listen:                  f.listen,
		AppID:                   f.appID,
		PrivateKey:              ghclient.PrivateKey(key),
		WebhookSecret:           app.Secret(secret),
		GitHubURL:               f.githubURL,
		Database:                f.database,
		TrustedRoot:             f.trustedRoot,
		BotLogin:                f.botLogin,
		SweepInterval:           f.sweep.get(),
		MembershipTTL:           f.membershipTTL.get(),
		Workers:                 f.workers,
		GitHubCacheMB:           f.githubCacheMB,
		JobLease:                f.jobLease.get(),
		AuditKey:                auditKey,
		AuditCheckpointFile:     f.auditCheckpointFile,
		AuditCheckpointInterval: f.auditCheckpointEvery.get(),
		Logger:                  log,
		Registerer:              reg,
		Gatherer:                reg,
	}
	f.intake.apply(&o)
	f.memory.apply(&o)
	if err := f.web.apply(&o); err != nil {
		return app.Options{}, err
	}
	if err := f.decision.apply(&o, log); err != nil {
		return app.Options{}, err
	}
	if err := f.rotation.apply(&o); err != nil {
		return app.Options{}, err
	}
	return o, nil
}
