package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeSetsSoftMemoryLimit: `zgate serve` sets the Go runtime's soft
// memory limit before serving: twice the GitHub cache budget (at least
// 64 MB) by default, the flag or its variable when given (negative lifts
// it), GOMEMLIMIT when the environment sets it and the flag is not given.
func TestServeSetsSoftMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	// A key that does not parse: serve stops in app.Run, after the limit.
	if err := os.WriteFile(key, []byte("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"serve", "--app-id", "1", "--private-key", key, "--webhook-secret", "s", "--database", "sqlite:" + filepath.Join(dir, "db")}
	const none = -1
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int64
	}{
		{"default", nil, nil, 96 << 20},
		{"twice the cache", []string{"--github-cache-mb", "200"}, nil, 400 << 20},
		{"at least 64 MB", []string{"--github-cache-mb", "10"}, nil, 64 << 20},
		{"no cache", []string{"--github-cache-mb", "-1"}, nil, 64 << 20},
		{"zero is the default", []string{"--memory-limit-mb", "0"}, nil, 96 << 20},
		{"flag", []string{"--memory-limit-mb", "64"}, nil, 64 << 20},
		{"variable", nil, map[string]string{"ZGATE_MEMORY_LIMIT_MB": "96"}, 96 << 20},
		{"flag over variable", []string{"--memory-limit-mb", "64"}, map[string]string{"ZGATE_MEMORY_LIMIT_MB": "96"}, 64 << 20},
		{"negative lifts it", []string{"--memory-limit-mb", "-1"}, nil, math.MaxInt64},
		{"GOMEMLIMIT left alone", nil, map[string]string{"GOMEMLIMIT": "200MiB"}, none},
		{"flag over GOMEMLIMIT", []string{"--memory-limit-mb", "64"}, map[string]string{"GOMEMLIMIT": "200MiB"}, 64 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := int64(none)
			var stderr bytes.Buffer
			e := env{stdin: strings.NewReader(""), stdout: &stderr, stderr: &stderr, getenv: mapEnv(tt.env),
				setMemoryLimit: func(n int64) int64 { got = n; return 0 }}
			run(context.Background(), e, append(append([]string{}, base...), tt.args...))
			if got != tt.want {
				t.Errorf("soft memory limit set = %d, want %d (-1: not set); stderr:\n%s", got, tt.want, stderr.String())
			}
		})
	}
}

// TestServeRefusesBadMemoryFlags: a limit that does not parse is a usage
// error, whether from the flag or the variable.
func TestServeRefusesBadMemoryFlags(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"flag":     {[]string{"--memory-limit-mb", "lots"}, nil},
		"variable": {nil, map[string]string{"ZGATE_MEMORY_LIMIT_MB": "lots"}},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", mapEnv(tc.env), append([]string{"serve"}, tc.args...)...)
			if code != exitUsage || !strings.Contains(stderr, "memory-limit-mb") && !strings.Contains(stderr, "ZGATE_MEMORY_LIMIT_MB") {
				t.Errorf("exit %d, stderr %q; want %d naming the limit", code, stderr, exitUsage)
			}
		})
	}
}
