package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// policies is the policy testdata shared with package policy.
const policies = "../../policy/testdata/policies"

// fullWarnings are the warnings of valid/full.yaml: production merges,
// and two gates that do not merge can apply to the same pull request.
func fullWarnings(valid string) string {
	w := func(line int, other, kind string) string {
		return fmt.Sprintf("%s:%d:0: warning: gate \"production\" merges and gate %q, which can apply to the same pull request, does not (%s): "+
			"a merge needs every applicable gate, so \"production\" also waits for %q to hold; "+
			"if that is not meant, keep such changes in separate pull requests or give the gates if.base lists that match no common branch\n", valid, line, other, kind, other)
	}
	return w(31, "deploy-staging", "dispatch") + w(49, "schema-migration", "repository_dispatch")
}

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
			name:       "valid, with warnings: exit 0",
			args:       []string{valid},
			wantCode:   exitOK,
			wantStdout: fullWarnings(valid) + valid + ": ok\n",
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
			wantStdout: fullWarnings(valid) + valid + ": ok\n" +
				invalid + ":5:14: override.teams: empty: name who may break the glass\n" +
				invalid + ":6:18: override.approvals: must be at least 1, got 0\n",
		},
		{
			name:       "request_reviews value checked",
			args:       []string{policies + "/invalid/request-reviews-bad.yaml"},
			wantCode:   exitFailed,
			wantStdout: policies + "/invalid/request-reviews-bad.yaml:4:22: request_reviews: want \"teams\" or \"off\", got \"everyone\"\n",
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
			wantStdout: fullWarnings(valid) + valid + ": ok\n",
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
			name:     "two gates merging differently warn, exit 0",
			args:     []string{"-"},
			stdin:    "version: 1\ngates:\n  - name: docs\n    then: {merge: {method: squash}}\n  - name: production\n    if: {paths: [\"deploy/**\"]}\n    then: {merge: {method: rebase}}\n",
			wantCode: exitOK,
			wantStdout: "<stdin>:5:0: warning: gates \"docs\" (line 3) and \"production\" can apply to the same pull request and merge with different methods (squash, rebase): " +
				"the method is that of whichever gate's Z runs first; use one method, or if.base lists that match no common branch\n<stdin>: ok\n",
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
