package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo runs the simulator and the App; skipped with -short")
	}
	record := filepath.Join(t.TempDir(), "sim.jsonl")
	var stdout, stderr bytes.Buffer
	e := env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string {
		if k == "ZGATE_SIM_RECORD" {
			return record
		}
		return ""
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if code := run(ctx, e, []string{"demo"}); code != exitOK {
		t.Fatalf("zgate demo exit code = %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"PENDING — Pending: 0 of 2 controls hold",
		"3. carol, a member of both owning teams, approves",
		"PENDING — Pending: 1 of 2 controls hold",
		"SUCCESS — Open: 2 of 2 controls hold",
		"│ | Control | Held |",
		"zgate merged PR #1 (squash",
		"execution acme/payments#1 production",
		"Audit chain verified",
		"zgate requests a review from the missing teams: @acme/security, @acme/sre",
		"review_request acme/payments#1 production",
		"8. zgate signed its decision",
		"--predicate-type https://zgate.dev/gate-decision/v1 --repo acme/payments --commit",
		`   verified: gate "production" of acme/payments#1 opened at`,
		"(urn:zgate:key) at",
		"quorum 2 within 24h0m0s; controls held:",
		"@acme/security: dave approved",
		"@acme/sre: carol approved",
		"decision_signed acme/payments#1 production",
		"uploaded as attestation",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q; got:\n%s", want, out)
		}
	}
	rec, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("ZGATE_SIM_RECORD file: %v", err)
	}
	if !bytes.Contains(rec, []byte(`"method":"PUT"`)) || !bytes.Contains(rec, []byte("/merge")) {
		t.Errorf("ZGATE_SIM_RECORD file lacks the merge exchange; %d bytes", len(rec))
	}
}
