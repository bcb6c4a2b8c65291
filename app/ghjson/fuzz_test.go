package ghjson

import (
	"encoding/json"
	"testing"

	"github.com/zgate-dev/zgate/app/ghjson/ghjsontest"
)

var fuzzSeeds = []string{
	`{"action":"submitted","number":7,"user":{"login":"carol","id":3},"labels":[{"name":"a"}]}`,
	`{"zen":{"a":[1,2,{"b":null}]},"number":7,"x":"\u00e9\ud83d\ude00"}`,
	`{"action":"a","action":"b","user":{"id":1},"user":{"login":"x"}}`,
	"{\"action\":\"a\xffb\"}",
	`{"action":"a\ud800b"}`,
	`{"ACTION":"x","Number":7}`,
	`{"action":"completed"} x`,
	`{"action":"completed","zen":"\u00"}`,
	`{"number":"7"}`,
	`{"number":7.5}`,
	`{"number":-0,"labels":null,"user":null}`,
	`[1,"a",true,null,{}]`,
	``,
}

// FuzzValid: Valid accepts exactly what encoding/json's Valid does.
func FuzzValid(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := Valid(data), json.Valid(data); got != want {
			t.Errorf("Valid(%q) = %v, encoding/json says %v", data, got, want)
		}
	})
}

// FuzzUnmarshal: Unmarshal gives what encoding/json gives, or both fail,
// into a compact type and into any.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ghjsontest.Same[sample](t, data, Unmarshal)
		ghjsontest.Same[any](t, data, Unmarshal)
	})
}
