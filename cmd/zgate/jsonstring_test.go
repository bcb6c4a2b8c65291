package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encodingJSON is what encoding/json writes for s with HTML escaping off,
// the reference appendJSONString must match byte for byte.
func encodingJSON(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func TestAppendJSONString(t *testing.T) {
	tests := []string{
		"", "plain/path.go", `quote " and backslash \`, "<html> & co",
		"tab\tnewline\ncr\rbs\bff\f", "\x00\x01\x1f\x7f", "héllo 世界",
		"bad \xff utf-8 \xc3", "line\u2028sep\u2029", "emoji 🙂", "trailing \\",
	}
	for _, s := range tests {
		got := string(appendJSONString([]byte("x"), s))
		if want := "x" + encodingJSON(t, s); got != want {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a/b.go", "\x00\"\\\u2028\xff", "é\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendJSONString(nil, s)), encodingJSON(t, s); got != want {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
