package attesttest

import (
	"encoding/json"

	"github.com/zgate-dev/zgate/attest"
)

// Statement returns an in-toto statement about commit c (see
// attest.NewStatement) with predicate, marshalled as JSON (nil for {}).
func Statement(t TB, c attest.Commit, predicateType string, predicate any) []byte {
	t.Helper()
	var raw json.RawMessage
	if predicate != nil {
		b, err := json.Marshal(predicate)
		if err != nil {
			t.Fatalf("attesttest: predicate: %v", err)
		}
		raw = b
	}
	st, err := attest.NewStatement(c, predicateType, raw)
	if err != nil {
		t.Fatalf("attesttest: %v", err)
	}
	return st
}

// RawStatement returns an in-toto v1 statement with the given subjects
// (name and digests), for statements NewStatement does not make.
func RawStatement(t TB, predicateType string, subjects ...Subject) []byte {
	t.Helper()
	out, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       subjects,
		"predicateType": predicateType,
		"predicate":     map[string]any{},
	})
	if err != nil {
		t.Fatalf("attesttest: statement: %v", err)
	}
	return out
}

// Subject is one in-toto subject.
type Subject struct {
	Name   string            `json:"name,omitempty"`
	Digest map[string]string `json:"digest"`
}
