package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// jsonProblem turns an encoding/json decoding error of data into the
// user's terms: where (the byte offset of the offending value, -1 when
// unknown) and what, with the JSON path (reviews[1].user) and JSON type
// names, never Go's ("cannot unmarshal array into Go value of type
// policy.Facts"). top names the document ("the snapshot").
func jsonProblem(data []byte, err error, top string) (offset int64, msg string) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.As(err, &se):
		return se.Offset, "not valid JSON: " + strings.TrimPrefix(se.Error(), "json: ")
	case errors.As(err, &te):
		at := jsonValueAt(data, func(v jsonValue) bool { return v.end == te.Offset })
		if at.path == "" {
			return at.start, fmt.Sprintf("%s must be %s, not %s", top, jsonWant(te.Type), jsonGot(te.Value))
		}
		return at.start, fmt.Sprintf("%s: want %s, got %s", at.path, jsonWant(te.Type), jsonGot(te.Value))
	case errors.As(err, &pe):
		at := jsonValueAt(data, func(v jsonValue) bool {
			s, ok := v.tok.(string)
			return ok && s == pe.Value && (strings.HasSuffix(v.key, "_at") || v.key == "now")
		})
		what := fmt.Sprintf("want a time like 2026-11-24T12:00:00Z (RFC 3339), got %q", pe.Value)
		if at.path == "" {
			return -1, what
		}
		return at.start, at.path + ": " + what
	}
	msg = strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if key, uerr := strconv.Unquote(name); uerr == nil {
			at := jsonValueAt(data, func(v jsonValue) bool { s, ok := v.tok.(string); return v.isKey && ok && s == key })
			if at.parent != "" {
				return at.start, fmt.Sprintf("%s: unknown field %q", at.parent, key)
			}
			return at.start, fmt.Sprintf("unknown field %q", key)
		}
	}
	return -1, msg
}

// jsonWant names what a Go type accepts, in JSON's words.
func jsonWant(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "a value"
	}
	if t == reflect.TypeFor[time.Time]() {
		return "a time like 2026-11-24T12:00:00Z (RFC 3339)"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another value"
}

// jsonGot names what the document held, from UnmarshalTypeError.Value.
func jsonGot(v string) string {
	switch v {
	case "array", "object":
		return "an " + v
	case "string", "number":
		return "a " + v
	case "bool":
		return "true or false"
	}
	if n, ok := strings.CutPrefix(v, "number "); ok {
		return n
	}
	return v
}

// jsonValue is one token of a document as jsonValueAt walks it.
type jsonValue struct {
	tok        json.Token
	start, end int64  // byte offsets of the token
	path       string // JSON path of the value (of the object, for a key)
	parent     string // path of the containing object or array
	key        string // the value's key in its object; "" in an array
	isKey      bool   // tok is an object key, not a value
}

// jsonFrame is an open object or array.
type jsonFrame struct {
	array     bool
	index     int
	key       string
	expectKey bool
}

// jsonValueAt walks data token by token and returns the first token for
// which match is true; a zero jsonValue with start -1 when none is.
func jsonValueAt(data []byte, match func(jsonValue) bool) jsonValue {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []jsonFrame
	path := func(n int) string {
		var b strings.Builder
		for _, f := range stack[:n] {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.index)
			} else {
				b.WriteString(jsonKey(f.key, b.Len() == 0))
			}
		}
		return b.String()
	}
	advance := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].expectKey = true
			}
		}
	}
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return jsonValue{start: -1}
		}
		v := jsonValue{tok: tok, start: skipSeparators(data, before), end: dec.InputOffset()}
		if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].expectKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
				advance()
				continue
			}
			v.isKey, v.parent, v.path = true, path(n-1), path(n-1)
			if match(v) {
				return v
			}
			stack[n-1].key, _ = tok.(string)
			stack[n-1].expectKey = false
			continue
		}
		if d, ok := tok.(json.Delim); ok && (d == ']' || d == '}') {
			stack = stack[:len(stack)-1]
			advance()
			continue
		}
		n := len(stack)
		v.path, v.parent = path(n), path(max(n-1, 0))
		if n > 0 && !stack[n-1].array {
			v.key = stack[n-1].key
		}
		if match(v) {
			return v
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, jsonFrame{expectKey: true})
		case json.Delim('['):
			stack = append(stack, jsonFrame{array: true})
		default:
			advance()
		}
	}
}

// jsonKey writes an object key into a path: .name when it is a plain
// name, ["a/b"] otherwise.
func jsonKey(k string, first bool) string {
	plain := k != ""
	for _, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return "[" + strconv.Quote(k) + "]"
	case first:
		return k
	}
	return "." + k
}

// skipSeparators returns the offset of the next token at or after off.
func skipSeparators(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}
