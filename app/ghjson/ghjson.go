package ghjson

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Unmarshal decodes data into v (a pointer) with the options of the
// package doc. It fails when data is not one JSON value or a member that v
// holds has the wrong type; members v does not hold are skipped.
func Unmarshal(data []byte, v any) error {
	return json.Unmarshal(data, v, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}

// Valid reports whether data is one JSON value, by the same rules as
// [Unmarshal].
func Valid(data []byte) bool {
	return jsontext.Value(data).IsValid(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}
