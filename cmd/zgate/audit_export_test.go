package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestAuditExportSince checks --since and --format: a shipper that passes
// the last seq it sent gets only what is new, and the old invocation
// (no flags) still prints everything.
func TestAuditExportSince(t *testing.T) {
	dsn, _ := auditDB(t, 5)
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantSeqs []int64
		wantErr  string
	}{
		{"no flags: everything", nil, exitOK, []int64{1, 2, 3, 4, 5}, ""},
		{"jsonl since 0", []string{"--format", "jsonl", "--since", "0"}, exitOK, []int64{1, 2, 3, 4, 5}, ""},
		{"since 3", []string{"--since", "3"}, exitOK, []int64{4, 5}, ""},
		{"since the head", []string{"--since", "5"}, exitOK, nil, ""},
		{"since past the head", []string{"--since", "99"}, exitOK, nil, ""},
		{"negative since", []string{"--since", "-1"}, exitUsage, nil, "--since -1"},
		{"csv", []string{"--format", "csv"}, exitUsage, nil, `--format "csv": want jsonl`},
		{"since not a number", []string{"--since", "three"}, exitUsage, nil, "invalid value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runAuditCmd(t, nil, append([]string{"export", "--database", dsn}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("zgate audit export %v = %d (stderr %q), want %d", tc.args, code, errOut, tc.wantCode)
			}
			if tc.wantErr != "" && !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tc.wantErr)
			}
			var seqs []int64
			for line := range strings.SplitSeq(strings.TrimSuffix(out, "\n"), "\n") {
				if line == "" {
					continue
				}
				var rec struct {
					Seq int64 `json:"seq"`
				}
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("line %q is not JSON: %v", line, err)
				}
				seqs = append(seqs, rec.Seq)
			}
			if !slices.Equal(seqs, tc.wantSeqs) {
				t.Errorf("exported seqs %v, want %v", seqs, tc.wantSeqs)
			}
		})
	}
}

// TestAuditVerifyCountsInWords checks "1 record", not "1 records".
func TestAuditVerifyCountsInWords(t *testing.T) {
	dsn, _ := auditDB(t, 1)
	code, out, _ := runAuditCmd(t, nil, "verify", "--database", dsn)
	if code != exitOK || !strings.HasPrefix(out, "audit log OK: 1 record\n") {
		t.Errorf("zgate audit verify = %d, %q; want \"audit log OK: 1 record\"", code, out)
	}
}
