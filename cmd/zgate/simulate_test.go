package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zgate-dev/zgate/policy"
)

func simTestdata(name string) string { return filepath.Join("testdata", "simulate", name) }

func TestSimulate(t *testing.T) {
	pol, co, snap := simTestdata("zgate.yml"), simTestdata("CODEOWNERS"), simTestdata("snapshot.json")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		// golden names the expected stdout; empty means stdout is not checked.
		golden string
	}{
		{
			name:     "all controls hold",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", snap},
			wantCode: exitOK,
			golden:   "success.txt.golden",
		},
		{
			name:     "json output",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", snap, "--json"},
			wantCode: exitOK,
			golden:   "success.json.golden",
		},
		{
			name:     "later, the approvals have left the window",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", snap, "--now", "2026-11-25T10:30:00Z", "--json"},
			wantCode: exitFailed,
			golden:   "expired.json.golden",
		},
		{
			name:     "text report of a pending gate",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", snap, "--now", "2026-11-25T10:30:00Z"},
			wantCode: exitFailed,
			golden:   "expired.txt.golden",
		},
		{
			name:     "review requests, text",
			args:     []string{"--policy", simTestdata("requests.yml"), "--codeowners", co, "--snapshot", simTestdata("requests_snapshot.json")},
			wantCode: exitFailed,
			golden:   "requests.txt.golden",
		},
		{
			name:     "review requests, json",
			args:     []string{"--policy", simTestdata("requests.yml"), "--codeowners", co, "--snapshot", simTestdata("requests_snapshot.json"), "--json"},
			wantCode: exitFailed,
			golden:   "requests.json.golden",
		},
		{
			name:     "unloadable policy",
			args:     []string{"--policy", simTestdata("bad_policy.yml"), "--codeowners", co, "--snapshot", snap, "--json"},
			wantCode: exitUsage,
			golden:   "bad_policy.json.golden",
		},
		{
			name:     "missing policy file",
			args:     []string{"--policy", simTestdata("nope.yml"), "--snapshot", snap},
			wantCode: exitUsage,
		},
		{
			name:     "codeowners needed but not given",
			args:     []string{"--policy", pol, "--snapshot", snap},
			wantCode: exitUsage,
		},
		{
			name:     "unreadable codeowners",
			args:     []string{"--policy", pol, "--codeowners", simTestdata("nope"), "--snapshot", snap},
			wantCode: exitUsage,
		},
		{
			name:     "unknown snapshot field",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", simTestdata("unknown_field.json")},
			wantCode: exitUsage,
		},
		{
			name:     "snapshot syntax error",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", simTestdata("syntax_error.json")},
			wantCode: exitUsage,
		},
		{
			name:     "snapshot without head sha",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", simTestdata("no_head.json")},
			wantCode: exitUsage,
		},
		{
			name:     "pusher without head sha",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", simTestdata("pusher_no_head.json")},
			wantCode: exitUsage,
		},
		{
			name:     "data after the snapshot",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", simTestdata("trailing.json")},
			wantCode: exitUsage,
		},
		{
			name:     "bad --now",
			args:     []string{"--policy", pol, "--codeowners", co, "--snapshot", snap, "--now", "yesterday"},
			wantCode: exitUsage,
		},
		{name: "no flags", wantCode: exitUsage},
		{name: "stray argument", args: []string{"--policy", pol, "--snapshot", snap, "extra"}, wantCode: exitUsage},
		{name: "unknown flag", args: []string{"--policy", pol, "--snapshot", snap, "--frobnicate"}, wantCode: exitUsage},
		{name: "help", args: []string{"-h"}, wantCode: exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", nil, append([]string{"simulate"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			if tt.wantCode == exitUsage && tt.name != "help" && stderr == "" {
				t.Error("stderr is empty, want an explanation")
			}
			if tt.golden != "" {
				checkGolden(t, simTestdata(tt.golden), []byte(stdout))
			}
		})
	}
}

// TestDecodeSnapshotPushers: pushers, the head's first sighting and comment
// edits are part of a snapshot.
func TestDecodeSnapshotPushers(t *testing.T) {
	f, err := decodeSnapshot([]byte(`{"pull_request": {"author": "alice", "head_sha": "abc", "head_seen_at": "2026-11-24T10:00:00Z"},
		"pushers": [{"login": "bob", "head_sha": "abc"}, {"login": "carol", "head_sha": "abc", "via": "#7"}],
		"comments": [{"user": "ivan", "body": "/zgate override x", "created_at": "2026-11-24T11:00:00Z", "updated_at": "2026-11-24T11:05:00Z"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	edited := time.Date(2026, 11, 24, 11, 5, 0, 0, time.UTC)
	if f.PullRequest.HeadSeenAt == nil || !f.PullRequest.HeadSeenAt.Equal(seen) {
		t.Errorf("head_seen_at = %v, want %v", f.PullRequest.HeadSeenAt, seen)
	}
	want := []policy.Pusher{{Login: "bob", HeadSHA: "abc"}, {Login: "carol", HeadSHA: "abc", Via: "#7"}}
	if diff := cmp.Diff(want, f.Pushers); diff != "" {
		t.Errorf("pushers mismatch (-want +got):\n%s", diff)
	}
	if u := f.Comments[0].UpdatedAt; u == nil || !u.Equal(edited) {
		t.Errorf("comments[0].updated_at = %v, want %v", u, edited)
	}
}

// TestSimulateJSONShape checks the documented --json contract: every key
// present, lists never null, expires_at null or RFC 3339.
func TestSimulateJSONShape(t *testing.T) {
	exp := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	d := policy.Decision{Gates: []policy.GateDecision{
		{Name: "a", State: policy.StateSuccess, Action: policy.ActionMerge, ExpiresAt: &exp,
			Controls: []policy.ControlResult{{ID: "@acme/sre", Held: true, Reason: "ok", By: "bob"}}},
		{Name: "b", State: policy.StateSkipped},
	}}
	var buf bytes.Buffer
	if err := writeSimulateJSON(&buf, d); err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"gates": []any{
		map[string]any{
			"name": "a", "state": "success", "action": "merge", "expires_at": "2026-11-25T10:00:00Z",
			"controls": []any{map[string]any{"id": "@acme/sre", "held": true, "reason": "ok"}},
			"missing":  []any{},
		},
		map[string]any{
			"name": "b", "state": "skipped", "action": "none", "expires_at": nil,
			"controls": []any{}, "missing": []any{},
		},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON shape mismatch (-want +got):\n%s", diff)
	}
}

func FuzzDecodeSnapshot(f *testing.F) {
	for _, pattern := range []string{"testdata/simulate/*.json", "../../examples/*/snapshot.json"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	p := &policy.Policy{Gates: []policy.Gate{{
		Name:     "any",
		Controls: policy.Controls{Teams: policy.TeamControls{From: []string{"@acme/sre", "@bob"}}},
		Window:   time.Hour,
		Override: &policy.Override{Teams: []string{"@acme/ic"}, Approvals: 1},
	}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		facts, err := decodeSnapshot(data)
		if err != nil {
			return
		}
		// A decoded snapshot survives a round trip unchanged.
		again, err := json.Marshal(facts)
		if err != nil {
			t.Fatalf("marshal decoded snapshot: %v", err)
		}
		back, err := decodeSnapshot(again)
		if err != nil {
			t.Fatalf("re-decode %s: %v", again, err)
		}
		// Empty and absent lists are the same fact (omitempty drops them).
		if diff := cmp.Diff(facts, back, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip changed the snapshot (-first +second):\n%s", diff)
		}
		// And evaluating it never panics and reports every gate.
		if d := policy.Evaluate(p, facts, now); len(d.Gates) != 1 {
			t.Errorf("Evaluate returned %d gates, want 1", len(d.Gates))
		}
	})
}
