package main

import (
	"strings"
	"testing"
)

// TestSnapshotErrorsSpeakJSON checks that a snapshot of the wrong shape is
// explained with the JSON path and JSON type names, never Go's ("cannot
// unmarshal array into Go value of type policy.Facts").
func TestSnapshotErrorsSpeakJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string
	}{
		{"top level array", `[]`, "1:1: invalid snapshot: the snapshot must be an object, not an array"},
		{"number for a string", `{"pull_request": {"author": 7}}`, `1:29: invalid snapshot: pull_request.author: want a string, got a number`},
		{"indexed path", "{\"reviews\": [{\"user\": \"bob\"},\n {\"user\": [\"x\"]}]}", `2:11: invalid snapshot: reviews[1].user: want a string, got an array`},
		{"object for a list", `{"reviews": {}}`, `1:13: invalid snapshot: reviews: want an array, got an object`},
		{"map value", `{"teams": {"acme/sre": "bob"}}`, `1:24: invalid snapshot: teams["acme/sre"]: want an array, got a string`},
		{"fraction for an integer", `{"pull_request": {"number": 1.5}}`, `pull_request.number: want an integer, got 1.5`},
		{"bad time", "{\"reviews\": [{\"user\": \"bob\", \"submitted_at\": \"yesterday\"}]}", `reviews[0].submitted_at: want a time like 2026-11-24T12:00:00Z (RFC 3339), got "yesterday"`},
		{"unknown field", `{"pull_request": {"autor": "x"}}`, `pull_request: unknown field "autor"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeSnapshot([]byte(tc.in))
			if err == nil {
				t.Fatal("decodeSnapshot() = nil error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decodeSnapshot() = %q, want it to contain %q", err, tc.want)
			}
			for _, goName := range []string{"Go value", "Go struct", "policy.", "[]string", "time.Time", "json: "} {
				if strings.Contains(err.Error(), goName) {
					t.Errorf("decodeSnapshot() = %q: speaks Go (%q)", err, goName)
				}
			}
		})
	}
}

// FuzzSnapshotErrors checks that explaining any bad snapshot neither
// panics nor points outside the document, nor speaks Go.
func FuzzSnapshotErrors(f *testing.F) {
	for _, s := range []string{`[]`, `{"reviews": [{"user": 1}]}`, `{"teams": {"a/b": "x"}}`, `{"reviews": [{"submitted_at": "x"}]}`, `{"a": 1}`, `{"pull_request": {"number": 1e99}}`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := decodeSnapshot(data)
		if err == nil {
			return
		}
		if strings.Contains(err.Error(), "Go value") || strings.Contains(err.Error(), "Go struct") {
			t.Fatalf("decodeSnapshot(%q) = %q: speaks Go", data, err)
		}
		at := jsonValueAt(data, func(jsonValue) bool { return false })
		if at.start != -1 {
			t.Fatalf("jsonValueAt(no match) = %+v, want start -1", at)
		}
	})
}
