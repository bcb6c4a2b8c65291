package ghclient

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePrivateKey(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		wantErr bool
	}{
		{name: "pkcs1", file: "app-pkcs1.pem"},
		{name: "pkcs8 rsa", file: "app-pkcs8.pem"},
		{name: "pkcs8 ec rejected", file: "ec-pkcs8.pem", wantErr: true},
		{name: "not pem", file: "garbage.pem", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := parsePrivateKey(readTestdata(t, tt.file))
			if tt.wantErr {
				if !errors.Is(err, ErrBadKey) {
					t.Fatalf("parsePrivateKey() error = %v, want ErrBadKey", err)
				}
				return
			}
			if err != nil || k == nil {
				t.Fatalf("parsePrivateKey() = %v, %v; want a key", k, err)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	key := readTestdata(t, "app-pkcs1.pem")
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "no app id", cfg: Config{PrivateKey: key}},
		{name: "no key", cfg: Config{AppID: 1}},
		{name: "ec key", cfg: Config{AppID: 1, PrivateKey: readTestdata(t, "ec-pkcs8.pem")}},
		{name: "bad url", cfg: Config{AppID: 1, PrivateKey: key, BaseURL: "ftp://x/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil {
				t.Fatal("New() error = nil, want an error")
			}
		})
	}
}

func TestSecretsRedacted(t *testing.T) {
	key := readTestdata(t, "app-pkcs1.pem")
	cfg := Config{AppID: 7, PrivateKey: key}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("config", "key", cfg.PrivateKey, "token", Token("ghs_secret"), "cfg", cfg)
	fmt.Fprintf(&buf, "%v %+v %#v %s", cfg.PrivateKey, cfg, cfg, Token("ghs_secret"))
	out := buf.String()
	for _, secret := range []string{"MII", "ghs_secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("log output contains %q:\n%s", secret, out)
		}
	}
}

func FuzzParsePrivateKey(f *testing.F) {
	for _, name := range []string{"app-pkcs1.pem", "app-pkcs8.pem", "ec-pkcs8.pem", "garbage.pem"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := parsePrivateKey(data)
		if (k == nil) == (err == nil) {
			t.Fatalf("parsePrivateKey() = %v, %v: want exactly one of key and error", k, err)
		}
	})
}
