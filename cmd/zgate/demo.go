package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/ghclient"
	"github.com/zgate-dev/zgate/app/githubsim"
)

// The demo's repository: CODEOWNERS gives production manifests to two
// teams, and the policy needs both, through two different people.
const (
	demoOwner, demoRepo = "acme", "payments"
	demoGate            = "zgate/production"
	demoCodeowners      = `# Production manifests need both SRE and security.
*               @acme/platform
/deploy/prod/   @acme/sre @acme/security
`
	demoPolicy = `version: 1
gates:
  - name: production
    description: Production manifests need SRE and security, two distinct people
    if:
      base: [main]
      paths: ["deploy/prod/**"]
    controls:
      teams:
        from: codeowners
        fresh: head
    quorum: 2
    window: 24h
    request_reviews: teams
    then:
      merge: {method: squash}
`
	demoManifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: payments\nspec:\n  replicas: %d\n"
)

// demoStepTimeout bounds the wait for the App to react to one step.
const demoStepTimeout = 8 * time.Second

// runDemo is `zgate demo`: the whole flow against the built-in GitHub
// simulator, narrated. Exit 0 when the pull request was merged exactly
// when the policy said so and the audit chain verifies.
func runDemo(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	verbose := fs.Bool("v", false, "print the App's logs to standard error")
	keep := fs.Bool("keep", false, "leave the database, the simulator and the App up until Ctrl-C, to look at them")
	setUsage(fs, "usage: zgate demo [-v] [--keep]\n\nRuns the GitHub simulator and the zgate App on 127.0.0.1 and walks a pull request\nthrough the two-person rule. ZGATE_SIM_RECORD=FILE appends every GitHub API exchange to FILE.")
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	log := slog.New(slog.DiscardHandler)
	if *verbose {
		log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var record io.Writer
	if path := e.getenv("ZGATE_SIM_RECORD"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(e.stderr, "zgate demo: ZGATE_SIM_RECORD: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		record = f
	}
	d := &demo{out: e.stdout, log: log, keep: *keep}
	if err := d.run(ctx, record); err != nil {
		fmt.Fprintf(e.stderr, "zgate demo: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// demo holds the running simulator and App.
type demo struct {
	out   io.Writer
	log   *slog.Logger
	sim   *githubsim.Sim
	dir   string
	check githubsim.CheckRun // the last check run shown
	keep  bool               // stay up until ctx ends (--keep)
	// mergeSHA is the commit the merge made, whose decision is verified.
	mergeSHA string
}

func (d *demo) say(format string, args ...any) { fmt.Fprintf(d.out, format+"\n", args...) }

func (d *demo) run(ctx context.Context, record io.Writer) error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "zgate-demo-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	d.dir = dir
	signing, err := setupSigning(dir)
	if err != nil {
		return err
	}
	defer signing.close()

	// The simulator, on loopback with real HTTP.
	d.sim = githubsim.New(githubsim.Options{Logger: d.log, Record: record})
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	simSrv := &http.Server{Handler: d.sim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = simSrv.Serve(simLn) }()
	defer simSrv.Close()
	simURL := "http://" + simLn.Addr().String()

	// The App, with its own key, secret and SQLite store.
	key, keyPEM, err := githubsim.NewAppKey()
	if err != nil {
		return err
	}
	const appID, secret = 4242, "demo-webhook-secret"
	appLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	appURL := "http://" + appLn.Addr().String()
	dbPath := filepath.Join(dir, "zgate.db")
	appCtx, stopApp := context.WithCancel(ctx)
	defer stopApp()
	appDone := make(chan error, 1)
	go func() {
		appDone <- app.Run(appCtx, app.Options{
			Listener: appLn, AppID: appID, PrivateKey: ghclient.PrivateKey(keyPEM),
			WebhookSecret: app.Secret(secret), GitHubURL: simURL + "/api/v3/",
			Database: "sqlite:" + dbPath, Logger: d.log, QueuePoll: 100 * time.Millisecond,
			Workers: 2, ShutdownGrace: 2 * time.Second,
			Web:         app.WebOptions{PublicURL: appURL}, // check runs link to the details page
			TrustedRoot: signing.rootFile, Decisions: signing.signer(),
		})
	}()
	d.sim.RegisterApp(appID, &key.PublicKey, appURL+"/webhook", secret)
	if err := waitHealthy(ctx, appURL, appDone); err != nil {
		return err
	}

	d.say("zgate demo: the two-person rule on a GitOps pull request, against a simulated GitHub")
	d.say("  GitHub simulator  %s/api/v3/", simURL)
	d.say("  zgate App         %s/webhook  (SQLite store in %s)", appURL, dir)
	d.say("")
	if err := d.flow(ctx); err != nil {
		return err
	}
	apps, err := ghclient.New(ghclient.Config{BaseURL: simURL + "/api/v3/", AppID: appID, PrivateKey: ghclient.PrivateKey(keyPEM)})
	if err != nil {
		return err
	}
	if err := d.verifyDecision(ctx, signing, apps, d.mergeSHA); err != nil {
		return err
	}
	if d.keep {
		err := d.stayUp(ctx, start, simURL, appURL, "sqlite:"+dbPath)
		stopApp()
		<-appDone // before the database's directory goes
		return err
	}

	stopApp()
	if err := <-appDone; err != nil {
		return fmt.Errorf("the App stopped: %w", err)
	}
	if err := d.printAudit(ctx, "sqlite:"+dbPath); err != nil {
		return err
	}
	d.say("")
	d.say("Done in %.1fs.", time.Since(start).Seconds())
	return nil
}

// waitHealthy waits for the App's /healthz.
func waitHealthy(ctx context.Context, appURL string, appDone <-chan error) error {
	// A probe that hangs must not outlive the step's deadline.
	healthClient := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(demoStepTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-appDone:
			return fmt.Errorf("the App did not start: %w", err)
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, appURL+"/healthz", nil)
		if resp, err := healthClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("the App did not become healthy")
}
