package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigFile writes n bytes of JSON-ish filler to a new file.
func bigFile(t *testing.T, name string, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(strings.Repeat(" ", n)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSizeLimitsSpeakHumanSizes checks that too-large inputs are refused
// with their real size and the limit in units a person reads: a 2.2 MB
// policy used to be "1048577 bytes", and a snapshot had no limit at all.
func TestSizeLimitsSpeakHumanSizes(t *testing.T) {
	policyFile := bigFile(t, "zgate.yml", 2_200_000)
	snapshot := bigFile(t, "snapshot.json", maxSnapshotSize+1)
	okPolicy := filepath.Join(t.TempDir(), "ok.yml")
	if err := os.WriteFile(okPolicy, []byte("version: 1\ngates:\n  - name: p\n    controls:\n      teams:\n        from: ['@acme/sre']\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		wantCode    int
		want        []string
	}{
		// validate: a policy past the limit is invalid (exit 1), as Parse says.
		{"validate a file", "", []string{"validate", policyFile}, exitFailed, []string{"2.1 MiB", "more than the 1 MiB allowed"}},
		{"validate stdin", strings.Repeat(" ", 2_200_000), []string{"validate", "-"}, exitFailed, []string{"more than the 1 MiB allowed"}},
		{"simulate a policy", "", []string{"simulate", "--policy", policyFile, "--snapshot", snapshot}, exitUsage, []string{"2.1 MiB", "more than the 1 MiB allowed"}},
		{"simulate a snapshot", "", []string{"simulate", "--policy", okPolicy, "--snapshot", snapshot}, exitUsage, []string{"16.0 MiB", "more than the 16 MiB allowed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tc.stdin, nil, tc.args...)
			stderr += stdout
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d; output %q", code, tc.wantCode, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr = %q, want it to contain %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "bytes") {
				t.Errorf("stderr = %q, want sizes in MiB, not a byte count", stderr)
			}
		})
	}
}
