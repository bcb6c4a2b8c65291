package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestServePreviousWebhookSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key := write("key.pem", "PEM")
	old := write("old", "old-secret\n")
	empty := write("empty", "\n")
	base := []string{"--app-id", "1", "--private-key", key, "--webhook-secret", "new-secret"}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{name: "none", args: base, want: ""},
		{name: "flag", args: append(base, "--webhook-secret-previous", "old-secret"), want: "old-secret"},
		{name: "file", args: append(base, "--webhook-secret-previous-file", old), want: "old-secret"},
		{name: "env file", args: base, env: map[string]string{"ZGATE_WEBHOOK_SECRET_PREVIOUS_FILE": old}, want: "old-secret"},
		{name: "env value", args: base, env: map[string]string{"ZGATE_WEBHOOK_SECRET_PREVIOUS": "old-secret"}, want: "old-secret"},
		{name: "both", args: append(base, "--webhook-secret-previous", "x", "--webhook-secret-previous-file", old), wantErr: true},
		{name: "empty file", args: append(base, "--webhook-secret-previous-file", empty), wantErr: true},
		{name: "missing file", args: append(base, "--webhook-secret-previous-file", filepath.Join(dir, "nope")), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var f serveFlags
			f.register(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if err := applyEnv(fs, mapEnv(tt.env), serveEnv()); err != nil {
				t.Fatal(err)
			}
			o, err := f.options(io.Discard)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("options() = nil error, want one")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(o.WebhookSecretPrevious); got != tt.want {
				t.Errorf("WebhookSecretPrevious = %q, want %q", got, tt.want)
			}
			if got := string(o.WebhookSecret); got != "new-secret" {
				t.Errorf("WebhookSecret = %q, want new-secret", got)
			}
		})
	}
}
