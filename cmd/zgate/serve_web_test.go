package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app"
)

// TestServeWebFlags: the details page's flags and variables reach
// app.Options, a secret file is read, and combinations that cannot work
// are usage errors.
func TestServeWebFlags(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	secretFile := filepath.Join(dir, "oauth-secret")
	if err := os.WriteFile(key, []byte("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secretFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--app-id", "1", "--private-key", key, "--webhook-secret", "s"}
	parse := func(t *testing.T, args []string, env map[string]string) (app.Options, error) {
		t.Helper()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var f serveFlags
		f.register(fs)
		if err := fs.Parse(append(append([]string{}, base...), args...)); err != nil {
			t.Fatal(err)
		}
		if err := applyEnv(fs, mapEnv(env), serveEnv()); err != nil {
			return app.Options{}, err
		}
		return f.options(io.Discard)
	}
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want app.WebOptions
	}{
		{"none: no link", nil, nil, app.WebOptions{}},
		{"flags", []string{"--public-url", "https://zgate.example.com", "--oauth-client-id", "Iv1.x", "--oauth-client-secret", "sec", "--session-ttl", "2h"}, nil,
			app.WebOptions{PublicURL: "https://zgate.example.com", OAuthClientID: "Iv1.x", OAuthClientSecret: app.Secret("sec"), SessionTTL: 7200e9}},
		{"variables and a secret file", nil, map[string]string{"ZGATE_PUBLIC_URL": "https://z.example", "ZGATE_OAUTH_CLIENT_ID": "Iv1.y", "ZGATE_OAUTH_CLIENT_SECRET_FILE": secretFile},
			app.WebOptions{PublicURL: "https://z.example", OAuthClientID: "Iv1.y", OAuthClientSecret: app.Secret("from-file")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parse(t, tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, o.Web); diff != "" {
				t.Errorf("Web options (-want +got):\n%s", diff)
			}
		})
	}
	for _, tt := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"both secrets", []string{"--oauth-client-secret", "a", "--oauth-client-secret-file", secretFile}, "not both"},
		{"unreadable secret file", []string{"--oauth-client-secret-file", filepath.Join(dir, "nope")}, "OAuth client secret"},
		{"client id without secret", []string{"--public-url", "https://z.example", "--oauth-client-id", "Iv1.x"}, "both the OAuth client id and its secret"},
		{"sign-in without public URL", []string{"--oauth-client-id", "Iv1.x", "--oauth-client-secret", "s"}, "public URL"},
		{"relative public URL", []string{"--public-url", "zgate.example.com"}, "absolute http(s) URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", mapEnv(nil), append(append([]string{"serve"}, base...), tt.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr, exitUsage, tt.wantErr)
			}
		})
	}
}
