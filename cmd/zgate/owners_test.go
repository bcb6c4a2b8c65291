package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/policy/codeowners"
	"github.com/zgate-dev/zgate/policy/codeowners/codeownerstest"
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

// TestOwnersJSONMatchesEncodingJSON holds the streamed `owners --json`
// output to what encoding/json's indenting encoder writes for the same
// []ownerJSON, on the 5,000-rule monorepo file and 3,000 paths plus a few
// awkward ones (owned by a clearing rule, unowned, needing escapes).
func TestOwnersJSONMatchesEncodingJSON(t *testing.T) {
	text, paths := codeownerstest.Monorepo(42, 5000, 3000)
	text += "/odd/ @acme/odd\n/odd/cleared/\n"
	paths = append(paths, "odd/a \"quoted\" \\ <b>\t.go", "odd/cleared/x", "nowhere\xff/x", "odd/\u2028")
	file := filepath.Join(t.TempDir(), "CODEOWNERS")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	co, err := codeowners.Parse(file, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]ownerJSON, 0, len(paths))
	for _, p := range paths {
		owners, line := co.Owners(p)
		if owners == nil {
			owners = []string{}
		}
		want = append(want, ownerJSON{Path: p, Owners: owners, Line: line})
	}
	var wantOut bytes.Buffer
	enc := json.NewEncoder(&wantOut)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(want); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "", nil, append([]string{"owners", "--codeowners", file, "--json"}, paths...)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if stdout != wantOut.String() {
		t.Errorf("owners --json differs from encoding/json:\n%s", cmp.Diff(wantOut.String(), stdout))
	}
}
