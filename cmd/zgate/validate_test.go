package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// policies is the policy testdata shared with package policy.
const policies = "../../policy/testdata/policies"

func TestValidate(t *testing.T) {
	valid := policies + "/valid/full.yaml"
	invalid := policies + "/invalid/override-bad.yaml"
	missing := policies + "/does-not-exist.yaml"
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string // substring; "" means stderr must be empty
	}{
		{
			name:       "valid",
			args:       []string{valid},
			wantCode:   exitOK,
			wantStdout: valid + ": ok\n",
		},
		{
			name:     "invalid prints every problem",
			args:     []string{invalid},
			wantCode: exitFailed,
			wantStdout: invalid + ":5:14: override.teams: empty: name who may break the glass\n" +
				invalid + ":6:18: override.approvals: must be at least 1, got 0\n",
		},
		{
			name:     "valid and invalid",
			args:     []string{valid, invalid},
			wantCode: exitFailed,
			wantStdout: valid + ": ok\n" +
				invalid + ":5:14: override.teams: empty: name who may break the glass\n" +
				invalid + ":6:18: override.approvals: must be at least 1, got 0\n",
		},
		{
			name:       "unreadable file",
			args:       []string{missing},
			wantCode:   exitUsage,
			wantStderr: "does-not-exist.yaml",
		},
		{
			name:       "unreadable file wins over invalid",
			args:       []string{missing, valid},
			wantCode:   exitUsage,
			wantStdout: valid + ": ok\n",
			wantStderr: "does-not-exist.yaml",
		},
		{
			name:       "directory",
			args:       []string{policies},
			wantCode:   exitUsage,
			wantStderr: "read policy",
		},
		{
			name:       "stdin",
			args:       []string{"-"},
			stdin:      "version: 1\ngates:\n  - name: prod\n    window: soon\n",
			wantCode:   exitFailed,
			wantStdout: "<stdin>:4:13: window: bad duration \"soon\": want e.g. 24h, 90m, 7d or 2d12h\n",
		},
		{
			name:       "bad flag",
			args:       []string{"--nope"},
			wantCode:   exitUsage,
			wantStderr: "usage: zgate validate",
		},
		{
			name:       "help",
			args:       []string{"-h"},
			wantCode:   exitOK,
			wantStderr: "usage: zgate validate",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.stdin, nil, append([]string{"validate"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if stdout != tt.wantStdout {
				t.Errorf("stdout =\n%s\nwant\n%s", stdout, tt.wantStdout)
			}
			if tt.wantStderr == "" && stderr != "" || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

func TestValidateDefaultFile(t *testing.T) {
	policy := []byte("version: 1\ngates:\n  - name: prod\n")
	tests := []struct {
		name       string
		files      []string // written under the working directory
		wantCode   int
		wantStdout string
	}{
		{name: "zgate.yml", files: []string{".github/zgate.yml"}, wantCode: exitOK, wantStdout: ".github/zgate.yml: ok\n"},
		{name: "zgate.yaml", files: []string{".github/zgate.yaml"}, wantCode: exitOK, wantStdout: ".github/zgate.yaml: ok\n"},
		{name: "yml first", files: []string{".github/zgate.yaml", ".github/zgate.yml"}, wantCode: exitOK, wantStdout: ".github/zgate.yml: ok\n"},
		{name: "none", wantCode: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				path := filepath.Join(dir, f)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, policy, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			code, stdout, stderr := runCmd(t, "", nil, "validate")
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if stdout != tt.wantStdout {
				t.Errorf("stdout = %q, want %q", stdout, tt.wantStdout)
			}
		})
	}
}
