package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

// runSim is `zgate sim --listen ADDR`: the GitHub simulator as its own
// process, for rehearsals and for testing integrations in other languages
// (docs/simulator.md). It registers an App and prints its credentials,
// unless --no-app: then POST /_sim/app (or the manifest flow of zgate
// setup) registers one. It runs until SIGINT/SIGTERM.
func runSim(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	listen := fs.String("listen", "127.0.0.1:0", "HTTP listen address")
	noApp := fs.Bool("no-app", false, "register no App: a client POSTs /_sim/app, or runs zgate setup against the simulator")
	appID := fs.Int64("app-id", 1, "id of the App the simulator registers")
	keyFile := fs.String("key-file", "", "write the App's private key here (default: a new file in the temporary directory)")
	webhookURL := fs.String("webhook-url", "", "where webhooks go (POST /_sim/webhook-url changes it)")
	secret := fs.String("webhook-secret", "", "the App's webhook secret (default: a random one)")
	verbose := fs.Bool("v", false, "log every request and delivery to standard error")
	setUsage(fs, "usage: zgate sim [--listen ADDR] [flags]\n\nRuns the GitHub simulator: GitHub's REST API under /api/v3/, the App manifest\nflow under /organizations/ORG/settings/apps/new, and the control API under\n/_sim/ (docs/simulator.md). Runs until interrupted.")
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	log := slog.New(slog.DiscardHandler)
	if *verbose {
		log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return usageError(fs, "--listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	sim := githubsim.New(githubsim.Options{Logger: log, BaseURL: base})
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer srv.Close()

	fmt.Fprintf(e.stdout, "GitHub simulator on %s\n  REST API     %s/api/v3/\n  web (setup)  %s\n  control API  %s/_sim/  (docs/simulator.md)\n", base, base, base, base)
	if !*noApp {
		path, sec, err := simApp(sim, *appID, *keyFile, *webhookURL, *secret)
		if err != nil {
			fmt.Fprintf(e.stderr, "zgate sim: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(e.stdout, "\nApp %d registered. Run zgate against it with:\n", *appID)
		fmt.Fprintf(e.stdout, "  ZGATE_APP_ID=%d\n  ZGATE_PRIVATE_KEY=%s\n  ZGATE_WEBHOOK_SECRET=%s\n  ZGATE_GITHUB_URL=%s/api/v3/\n", *appID, path, sec, base)
		if *webhookURL == "" {
			fmt.Fprintf(e.stdout, "and point webhooks at it: curl -d '{\"url\":\"http://127.0.0.1:8080/webhook\"}' %s/_sim/webhook-url\n", base)
		}
	}
	fmt.Fprintln(e.stdout, "\nCtrl-C stops it.")
	select {
	case <-ctx.Done():
		return exitOK
	case err := <-served:
		fmt.Fprintf(e.stderr, "zgate sim: %v\n", err)
		return exitFailed
	}
}

// simApp makes the App's key, writes it (mode 0600) and registers the
// App; it returns the key's path and the webhook secret.
func simApp(sim *githubsim.Sim, id int64, keyFile, webhookURL, secret string) (string, string, error) {
	key, keyPEM, err := githubsim.NewAppKey()
	if err != nil {
		return "", "", err
	}
	if secret == "" {
		var b [20]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", "", fmt.Errorf("webhook secret: %w", err)
		}
		secret = hex.EncodeToString(b[:])
	}
	if keyFile == "" {
		f, err := os.CreateTemp("", "zgate-sim-app-*.pem")
		if err != nil {
			return "", "", fmt.Errorf("key file: %w", err)
		}
		keyFile = f.Name()
		f.Close()
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return "", "", fmt.Errorf("write the App's key: %w", err)
	}
	abs, err := filepath.Abs(keyFile)
	if err != nil {
		abs = keyFile
	}
	sim.RegisterApp(id, &key.PublicKey, webhookURL, secret)
	return abs, secret, nil
}
