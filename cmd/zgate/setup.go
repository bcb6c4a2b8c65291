package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/appsetup"
)

// Files `zgate setup` writes in its --dir, each mode 0600.
const (
	setupKeyFile          = "private-key.pem"
	setupSecretFile       = "webhook-secret"
	setupClientSecretFile = "oauth-client-secret"
	setupEnvFile          = "zgate.env"
)

// runSetup is `zgate setup --org ORG [--public-url URL]`: it registers the
// GitHub App through GitHub's manifest flow and writes its credentials
// where zgate serve reads them. Exit 0 done, 1 the flow failed, 2 bad
// arguments or files that exist already.
func runSetup(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	org := fs.String("org", "", "organization that will own the App (required)")
	publicURL := fs.String("public-url", "", "where GitHub reaches zgate serve, https://HOST; without it the webhook stays inactive until set in the App's settings")
	name := fs.String("name", "", `the App's name on GitHub, unique across GitHub (default "zgate-ORG")`)
	dir := fs.String("dir", "zgate-app", "directory for the credentials and the env file")
	listen := fs.String("listen", "127.0.0.1:0", "address of the local setup page (open it in a browser on this machine)")
	apiURL := fs.String("github-url", app.DefaultGitHubURL, "GitHub REST API root; GHES: https://HOST/api/v3/")
	webURL := fs.String("github-web-url", "https://github.com", "GitHub's web root; GHES: https://HOST")
	setUsage(fs, "usage: zgate setup --org ORG [--public-url URL] [flags]\n\nRegisters zgate's GitHub App from a manifest (the permissions and events of docs/config.md),\nthen writes the App id, private key, webhook secret and OAuth client to --dir with mode 0600,\nwith "+setupEnvFile+" for zgate serve (systemd EnvironmentFile=, or `set -a; . "+setupEnvFile+"`).")
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	if *org == "" {
		return usageError(fs, "--org is required")
	}
	if *name == "" {
		*name = "zgate-" + *org
	}
	if *publicURL != "" && !strings.HasPrefix(*publicURL, "https://") && !strings.HasPrefix(*publicURL, "http://") {
		return usageError(fs, "--public-url %q: want https://HOST", *publicURL)
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return usageError(fs, "--dir: %v", err)
	}
	// Refuse before GitHub registers anything: an App whose key could not
	// be written would have to be deleted by hand.
	for _, f := range []string{setupKeyFile, setupSecretFile, setupClientSecretFile, setupEnvFile} {
		if _, err := os.Stat(filepath.Join(abs, f)); err == nil {
			return usageError(fs, "%s exists: choose another --dir, or remove it", filepath.Join(abs, f))
		}
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return usageError(fs, "%v", err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return usageError(fs, "--listen: %v", err)
	}
	if *publicURL == "" {
		fmt.Fprintln(e.stderr, "zgate setup: no --public-url: the App's webhook stays inactive; set its URL (https://HOST/webhook) in the App's settings later")
	}
	c, err := appsetup.Run(ctx, appsetup.Options{
		Org: *org, Name: *name, PublicURL: *publicURL, WebURL: *webURL, APIURL: *apiURL, Listener: ln,
		Ready: func(u string) {
			fmt.Fprintf(e.stdout, "Open %s in a browser on this machine and confirm the App on GitHub.\n", u)
		},
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate setup: %v\n", err)
		return exitFailed
	}
	env, err := writeSetupFiles(abs, c, *apiURL, *publicURL)
	if err != nil {
		// The App exists now: say what to do with it.
		fmt.Fprintf(e.stderr, "zgate setup: the App %s (id %d) was registered, but %v; delete it at %s/advanced, or fix the directory and run setup again\n", c.Slug, c.ID, err, c.HTMLURL)
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "Registered the GitHub App %s (id %d).\n", c.Slug, c.ID)
	fmt.Fprintf(e.stdout, "Wrote %s (mode 0600) with its key, webhook secret and OAuth client.\n", env)
	fmt.Fprintf(e.stdout, "Next: install it on %s at %s/installations/new, then run\n  set -a; . %s; set +a; zgate serve\n", *org, c.HTMLURL, env)
	return exitOK
}

// writeSetupFiles writes the secrets and the env file, each created new
// with mode 0600, and returns the env file's path.
func writeSetupFiles(dir string, c appsetup.Credentials, apiURL, publicURL string) (string, error) {
	p := func(f string) string { return filepath.Join(dir, f) }
	env := []string{
		fmt.Sprintf("ZGATE_APP_ID=%d", c.ID),
		"ZGATE_PRIVATE_KEY=" + p(setupKeyFile),
		"ZGATE_WEBHOOK_SECRET_FILE=" + p(setupSecretFile),
		"ZGATE_OAUTH_CLIENT_ID=" + c.ClientID,
		"ZGATE_OAUTH_CLIENT_SECRET_FILE=" + p(setupClientSecretFile),
		"ZGATE_BOT_LOGIN=" + c.Slug + "[bot]",
	}
	if publicURL != "" {
		// The details page links and its sign-in callback need it.
		env = append(env, "ZGATE_PUBLIC_URL="+strings.TrimSuffix(publicURL, "/"))
	}
	if apiURL != app.DefaultGitHubURL {
		env = append(env, "ZGATE_GITHUB_URL="+apiURL)
	}
	files := []struct{ name, content string }{
		{setupKeyFile, c.PEM},
		{setupSecretFile, c.WebhookSecret + "\n"},
		{setupClientSecretFile, c.ClientSecret + "\n"},
		{setupEnvFile, "# zgate serve's GitHub App, written by zgate setup.\n" + strings.Join(env, "\n") + "\n"},
	}
	for _, f := range files {
		if err := writeNew(p(f.name), f.content); err != nil {
			return "", err
		}
	}
	return p(setupEnvFile), nil
}

// writeNew creates path with mode 0600, refusing to replace a file.
func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", path, err), os.Remove(path))
	}
	return nil
}
