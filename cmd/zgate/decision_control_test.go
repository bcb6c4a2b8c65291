package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/attest/attesttest"
)

// TestValidateDecisionKey: validate accepts a decision control and warns,
// without failing, when its key file is missing from the checkout or holds
// no public key.
func TestValidateDecisionKey(t *testing.T) {
	pol, err := os.ReadFile(filepath.Join("testdata", "decision", ".github", "zgate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		key      string // written to .github/zgate-decision.pub; "" writes none
		wantWarn string
	}{
		{name: "key present", key: string(attesttest.PublicKeyPEM(t, attesttest.NewKey(t, attesttest.ECDSAP256)))},
		{name: "key missing", wantWarn: ".github/zgate.yml:8:0: warning: controls.decision.key: .github/zgate-decision.pub cannot be read in this checkout"},
		{name: "not a key", key: "hello\n", wantWarn: ".github/zgate.yml:8:0: warning: controls.decision.key: .github/zgate-decision.pub holds no usable public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, ".github"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ".github", "zgate.yml"), pol, 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.key != "" {
				if err := os.WriteFile(filepath.Join(dir, ".github", "zgate-decision.pub"), []byte(tt.key), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			code, stdout, stderr := runCmd(t, "", nil, "validate")
			if code != exitOK {
				t.Fatalf("exit %d, want 0; stdout %q stderr %q", code, stdout, stderr)
			}
			if tt.wantWarn == "" && stdout != ".github/zgate.yml: ok\n" {
				t.Errorf("stdout = %q, want only ok", stdout)
			}
			if tt.wantWarn != "" && !strings.Contains(stdout, tt.wantWarn) {
				t.Errorf("stdout = %q, want %q", stdout, tt.wantWarn)
			}
		})
	}
}

// TestSimulateDecision: simulate counts a snapshot's decision of the
// control's repository and gate for the head, inside the window, and
// explains the ones that do not count; later it has left the window.
func TestSimulateDecision(t *testing.T) {
	pol := filepath.Join("testdata", "decision", ".github", "zgate.yml")
	snap := filepath.Join("testdata", "decision", "snapshot.json")
	code, stdout, stderr := runCmd(t, "", nil, "simulate", "--policy", pol, "--snapshot", snap)
	if code != exitOK {
		t.Fatalf("simulate = %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"decision:acme/app/production", "acme/app gate production decided 9409b08 (pull request #41)", "tampered payload"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCmd(t, "", nil, "simulate", "--policy", pol, "--snapshot", snap, "--now", "2026-11-25T10:00:01Z")
	if code != exitFailed || !strings.Contains(stdout, "outside the 24h window") {
		t.Errorf("a day later: exit %d, want 1 with the window:\n%s", code, stdout)
	}
}

// TestSnapshotDecisionRequired: a snapshot decision without its times is
// refused, not counted.
func TestSnapshotDecisionRequired(t *testing.T) {
	_, err := decodeSnapshot([]byte(`{"pull_request":{"head_sha":"a","author":"b"},"decisions":[{"repository":"acme/app","gate":"production","key":"k","commit":"a"}]}`))
	if err == nil || !strings.Contains(err.Error(), "decisions[0]") {
		t.Errorf("decodeSnapshot = %v, want decisions[0] refused", err)
	}
}
