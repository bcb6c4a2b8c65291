package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/attest/attesttest"
)

func TestServeRefusesBadConfig(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(key, []byte("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root.json")
	if err := os.WriteFile(root, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	shortKey := filepath.Join(dir, "audit.key")
	if err := os.WriteFile(shortKey, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--app-id", "1", "--private-key", key, "--webhook-secret", "s"}
	rsaKey := filepath.Join(dir, "rsaKey.key")
	if err := os.WriteFile(rsaKey, attesttest.PrivateKeyPEM(t, attesttest.NewKey(t, attesttest.RSA2048)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"no app id", []string{"--private-key", key, "--webhook-secret", "s"}, nil, "app id is required"},
		{"no key", []string{"--app-id", "1", "--webhook-secret", "s"}, nil, "private key is required"},
		{"unreadable key", []string{"--app-id", "1", "--private-key", filepath.Join(dir, "missing.pem"), "--webhook-secret", "s"}, nil, "read the App's private key"},
		{"no secret", []string{"--app-id", "1", "--private-key", key}, nil, "webhook secret is required"},
		{"both secrets", []string{"--app-id", "1", "--private-key", key, "--webhook-secret", "s", "--webhook-secret-file", key}, nil, "not both"},
		{"unparsable key", []string{"--app-id", "1", "--private-key", key, "--webhook-secret", "s", "--database", "sqlite:" + filepath.Join(dir, "db")}, nil, "key"},
		{"app id from env", []string{"--private-key", key}, map[string]string{"ZGATE_APP_ID": "x"}, "ZGATE_APP_ID"},
		{"secret from env, key bad", []string{"--app-id", "1", "--private-key", key}, map[string]string{"ZGATE_WEBHOOK_SECRET": "s"}, "key"},
		{"bad log level", []string{"--log-level", "loud"}, nil, "--log-level"},
		{"negative sweep", []string{"--sweep-interval", "-1m"}, nil, "negative"},
		{"negative read timeout", []string{"--read-timeout", "-1s"}, nil, "negative"},
		{"redelivery interval from env", nil, map[string]string{"ZGATE_REDELIVERY_INTERVAL": "soon"}, "ZGATE_REDELIVERY_INTERVAL"},
		{"stray argument", []string{"now"}, nil, "unexpected argument"},
		{"short audit key", append(base, "--audit-key-file", shortKey), nil, "audit key"},
		{"missing audit key", append(base, "--audit-key-file", filepath.Join(dir, "nope")), nil, "read the audit key"},
		{"audit key from env", base, map[string]string{"ZGATE_AUDIT_KEY_FILE": shortKey}, "audit key"},
		{"negative checkpoint interval", []string{"--audit-checkpoint-interval", "-1s"}, nil, "negative"},
		{"tsa without signing key", append(base, "--tsa", "https://tsa.example"), nil, "--tsa needs --signing-key"},
		{"missing signing key", append(base, "--signing-key", filepath.Join(dir, "nope")), nil, "read the signing key"},
		{"signing key of another type", append(base, "--signing-key", rsaKey), nil, "neither ECDSA P-256 nor Ed25519"},
		{"signing key from env", base, map[string]string{"ZGATE_SIGNING_KEY": shortKey}, "signing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", mapEnv(tt.env), append([]string{"serve"}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tt.wantErr)
			}
		})
	}
}
