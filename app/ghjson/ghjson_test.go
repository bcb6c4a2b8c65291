package ghjson

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
)

// sample is a compact type as callers declare them.
type sample struct {
	Action string `json:"action"`
	Number int    `json:"number"`
	User   *struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
	} `json:"user"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
}

// TestUnmarshal: what Unmarshal accepts and rejects, and where it differs
// from encoding/json on purpose (names match exactly).
func TestUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		want    sample
		wantErr bool
		// v1Differs marks a deliberate difference from encoding/json.
		v1Differs bool
	}{
		{name: "fields", in: `{"action":"submitted","number":7,"user":{"login":"carol","id":3},"labels":[{"name":"a"}]}`,
			want: sample{Action: "submitted", Number: 7, User: &struct {
				Login string `json:"login"`
				ID    int64  `json:"id"`
			}{Login: "carol", ID: 3}, Labels: []struct {
				Name string `json:"name"`
			}{{Name: "a"}}}},
		{name: "unknown members skipped", in: `{"zen":{"a":[1,2,{"b":null}]},"number":7,"x":"\u00e9\ud83d\ude00"}`, want: sample{Number: 7}},
		{name: "duplicate names: the last wins", in: `{"action":"a","action":"b","zen":1,"zen":2}`, want: sample{Action: "b"}},
		{name: "invalid UTF-8 replaced", in: "{\"action\":\"a\xffb\"}", want: sample{Action: "a\ufffdb"}},
		{name: "lone surrogate replaced", in: `{"action":"a\ud800b"}`, want: sample{Action: "a\ufffdb"}},
		{name: "null", in: `null`},
		{name: "names match exactly", in: `{"ACTION":"x","Number":7}`, v1Differs: true},
		{name: "trailing data", in: `{"action":"completed"} x`, wantErr: true},
		{name: "two values", in: `{} {}`, wantErr: true},
		{name: "bad escape", in: `{"action":"completed","zen":"\u00"}`, wantErr: true},
		{name: "truncated", in: `{"action":"comp`, wantErr: true},
		{name: "empty", in: ``, wantErr: true},
		{name: "not JSON", in: `not json`, wantErr: true},
		{name: "bad JSON in a skipped member", in: `{"zen":[1,2,}`, wantErr: true},
		{name: "control character in a string", in: "{\"zen\":\"a\nb\"}", wantErr: true},
		{name: "wrong type", in: `{"number":"7"}`, wantErr: true},
		{name: "wrong type deep", in: `{"user":{"id":true}}`, wantErr: true},
		{name: "fraction into an integer", in: `{"number":7.5}`, wantErr: true},
		{name: "overflow", in: `{"number":1e400}`, wantErr: true},
		{name: "not an object", in: `[1]`, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got sample
			err := Unmarshal([]byte(tc.in), &got)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Unmarshal(%q) = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); err == nil && diff != "" {
				t.Errorf("Unmarshal(%q) (-want +got):\n%s", tc.in, diff)
			}
			if Valid([]byte(tc.in)) != json.Valid([]byte(tc.in)) {
				t.Errorf("Valid(%q) = %v, encoding/json says %v", tc.in, Valid([]byte(tc.in)), json.Valid([]byte(tc.in)))
			}
			if tc.v1Differs {
				return
			}
			var v1 sample
			v1err := json.Unmarshal([]byte(tc.in), &v1)
			if (v1err != nil) != (err != nil) {
				t.Fatalf("Unmarshal(%q) = %v, encoding/json: %v", tc.in, err, v1err)
			}
			if diff := cmp.Diff(v1, got); err == nil && diff != "" {
				t.Errorf("Unmarshal(%q) (-encoding/json +ghjson):\n%s", tc.in, diff)
			}
		})
	}
}

// TestUnmarshalSyntaxError: a body that is not JSON fails with a syntax
// error, one that is but has a wrong type with a semantic one, so callers
// can tell "not JSON" from "malformed".
func TestUnmarshalSyntaxError(t *testing.T) {
	var v sample
	var syn *jsontext.SyntacticError
	if err := Unmarshal([]byte(`{"action":`), &v); !errors.As(err, &syn) {
		t.Errorf("truncated: error %v (%T), want a *jsontext.SyntacticError", err, err)
	}
	if err := Unmarshal([]byte(`{"number":"7"}`), &v); err == nil || errors.As(err, &syn) {
		t.Errorf("wrong type: error %v (%T), want a semantic error", err, err)
	}
}
