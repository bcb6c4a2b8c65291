package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOwners(t *testing.T) {
	dir := filepath.Join("testdata", "owners")
	codeowners := filepath.Join(dir, "CODEOWNERS")
	paths, err := os.ReadFile(filepath.Join(dir, "paths.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		stdin []byte
	}{
		{"text", []string{"--codeowners", codeowners, "README.md", "deploy/staging/a.yaml", "deploy/prod/app.yaml", "docs/a/b.md", "gen/x.go", "gen/schema.json", "cmd/main.go"}, nil},
		{"json", []string{"--codeowners", codeowners, "--json", "deploy/prod/app.yaml", "gen/schema.json", "cmd/main.go"}, nil},
		{"json_empty", []string{"--codeowners", codeowners, "--json"}, nil},
		{"stdin", []string{"--codeowners", codeowners}, paths},
		{"invalid_lines", []string{"--codeowners", filepath.Join(dir, "invalid.CODEOWNERS"), "vendor/x", "deploy/a", "lib/a.c", "ok/b"}, nil},
		{"missing_file", []string{"--codeowners", filepath.Join(dir, "missing"), "a"}, nil},
		{"bad_flag", []string{"--bogus"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, string(tc.stdin), nil, append([]string{"owners"}, tc.args...)...)
			got := fmt.Sprintf("exit: %d\n-- stdout --\n%s-- stderr --\n%s", code, stdout, stderr)
			checkGolden(t, filepath.Join(dir, tc.name+".golden"), []byte(got))
		})
	}
}

func TestOwnersExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"-h"}, exitOK},
		{"bad flag", []string{"--nope"}, exitUsage},
		{"unreadable file", []string{"--codeowners", filepath.Join("testdata", "owners", "missing"), "a"}, exitUsage},
		{"problems still answer", []string{"--codeowners", filepath.Join("testdata", "owners", "invalid.CODEOWNERS"), "a"}, exitOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
			if got := run(context.Background(), e, append([]string{"owners"}, tc.args...)); got != tc.want {
				t.Errorf("zgate owners %v exit = %d, want %d; output:\n%s", tc.args, got, tc.want, out.String())
			}
		})
	}
}
