// Package ghjsontest checks decoders built on package ghjson against
// encoding/json, for the differential fuzz tests of the packages that
// declare compact types.
package ghjsontest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
)

// Same decodes data into a new T with decode and with encoding/json, and
// fails t unless both fail or both give the same T. It reports whether it
// compared. Two differences are deliberate, so such data is skipped: names
// that match a name of T only case-insensitively (encoding/json matches
// "ACTION" to "action", ghjson does not), and duplicate names when T holds
// a map or an interface (encoding/json replaces the earlier object, ghjson
// merges the later into it; GitHub sends no duplicates, and into struct
// fields both merge alike).
func Same[T any](t testing.TB, data []byte, decode func([]byte, any) error) bool {
	t.Helper()
	names, dynamic := jsonNames(reflect.TypeFor[T]())
	if foldedOnly(data, names) || dynamic && duplicates(data) {
		return false
	}
	got, want := new(T), new(T)
	err := decode(data, got)
	v1err := json.Unmarshal(data, want)
	switch {
	case (err != nil) != (v1err != nil):
		t.Errorf("decode(%q) into %T: error %v, encoding/json: %v", data, got, err, v1err)
	case err == nil:
		// Compact types are unexported and embed unexported types.
		all := cmp.Exporter(func(reflect.Type) bool { return true })
		if diff := cmp.Diff(want, got, all); diff != "" {
			t.Errorf("decode(%q) into %T (-encoding/json +decode):\n%s", data, got, diff)
		}
	}
	return true
}

// jsonNames returns the member names the struct types within t decode,
// and whether t holds a map or an interface.
func jsonNames(t reflect.Type) (names map[string]bool, dynamic bool) {
	names = map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			dynamic = dynamic || t.Kind() == reflect.Map
			t = t.Elem()
		}
		dynamic = dynamic || t.Kind() == reflect.Interface
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case name == "" && f.Anonymous:
			case name == "":
				names[f.Name] = true
			default:
				names[name] = true
			}
			walk(f.Type)
		}
	}
	walk(t)
	return names, dynamic
}

// duplicates reports whether data is JSON with an object that repeats a
// name.
func duplicates(data []byte) bool {
	v := jsontext.Value(data)
	return v.IsValid(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)) && !v.IsValid(jsontext.AllowInvalidUTF8(true))
}

// foldedOnly reports whether an object name in data equals one of names
// only when case is ignored. data that does not tokenize is read as far as
// it does.
func foldedOnly(data []byte, names map[string]bool) bool {
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return false
		}
		if tok.Kind() != '"' {
			continue
		}
		if k, n := dec.StackIndex(dec.StackDepth()); k != '{' || n%2 != 1 {
			continue // a string value, not a name
		}
		s := tok.String()
		if names[s] {
			continue
		}
		for n := range names {
			if strings.EqualFold(s, n) {
				return true
			}
		}
	}
}
