package githubsim

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The simulator builds its answers and webhook payloads as trees of
// map[string]any holding pre-encoded parts (the repository, users,
// organizations) that it caches. encoding/json is slow on both: it walks
// maps and interfaces by reflection and re-validates and re-compacts
// every embedded json.RawMessage, so a pull request answer, which embeds
// the repository twice, cost more to encode than to build. appendJSON
// writes the same bytes json.Marshal writes (keys sorted, HTML
// characters escaped) for the shapes the simulator builds, and appends
// its own pre-encoded parts (encodedJSON) as they are; any other value
// goes through json.Marshal. TestAppendJSONMatchesMarshal holds the two
// to the same output.

// encodedJSON is a value the simulator encoded itself with json.Marshal
// or appendJSON: compact, HTML characters escaped. appendJSON copies it
// without checking; json.Marshal (through MarshalJSON) checks it and
// writes the same bytes.
type encodedJSON []byte

// MarshalJSON returns the encoding; nil encodes as null.
func (e encodedJSON) MarshalJSON() ([]byte, error) {
	if e == nil {
		return []byte("null"), nil
	}
	return e, nil
}

// object is a JSON object whose members are written in the order given,
// for the large objects built on every call (a pull request has fifty
// members, and is built for each of its webhooks and answers): no map to
// fill, no keys to sort. Members are listed sorted by key, the order in
// which json.Marshal writes a map's; appendJSON checks it and sorts a
// copy when they are not, so the order is only ever a matter of speed.
type object []member

type member struct {
	key string
	val any
}

// get returns the value of key, nil when there is none.
func (o object) get(key string) any {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].key == key {
			return o[i].val
		}
	}
	return nil
}

// without returns o less the members named in keys.
func (o object) without(keys ...string) object {
	return slices.DeleteFunc(slices.Clone(o), func(m member) bool { return slices.Contains(keys, m.key) })
}

// MarshalJSON encodes o as appendJSON does.
func (o object) MarshalJSON() ([]byte, error) { return appendJSON(nil, o) }

// appendObject appends o, its members sorted by key; of members with the
// same key the last counts, as in a map literal's assignments.
func appendObject(dst []byte, o object) ([]byte, error) {
	if o == nil {
		return append(dst, "null"...), nil
	}
	if !sortedObject(o) {
		o = sortObject(o)
	}
	dst = append(dst, '{')
	for i, m := range o {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(appendJSONString(dst, m.key), ':')
		var err error
		if dst, err = appendJSON(dst, m.val); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// sortedObject reports whether o's keys are strictly increasing.
func sortedObject(o object) bool {
	for i := 1; i < len(o); i++ {
		if o[i-1].key >= o[i].key {
			return false
		}
	}
	return true
}

// sortObject returns a copy of o sorted by key, keeping the last member
// of each key.
func sortObject(o object) object {
	o = slices.Clone(o)
	slices.SortStableFunc(o, func(a, b member) int { return strings.Compare(a.key, b.key) })
	out := o[:0]
	for i, m := range o {
		if i+1 < len(o) && o[i+1].key == m.key {
			continue
		}
		out = append(out, m)
	}
	return out
}

// encodeJSON is json.Marshal of v, faster for the simulator's shapes.
func encodeJSON(v any) ([]byte, error) { return appendJSON(nil, v) }

// encode is encodeJSON through a reused buffer: answers and payloads run
// to tens of kilobytes, and growing each from nothing allocated twice
// their size. The result is a copy of exactly its length.
func (s *Sim) encode(v any) ([]byte, error) {
	buf, _ := s.encBufs.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	b, err := appendJSON((*buf)[:0], v)
	var out []byte
	if err == nil {
		out = bytes.Clone(b)
	}
	if cap(b) <= maxEncodeBuffer {
		*buf = b[:0]
		s.encBufs.Put(buf)
	}
	return out, err
}

// maxEncodeBuffer bounds the buffers encode keeps: a 3,000-file listing
// should not pin its megabytes.
const maxEncodeBuffer = 1 << 20

// mustEncode is encodeJSON of a value built by the simulator, which
// always encodes; were it not to, null says so in the output.
func mustEncode(v any) encodedJSON {
	b, err := encodeJSON(v)
	if err != nil {
		return encodedJSON("null")
	}
	return b
}

// appendJSON appends the encoding of v to dst as json.Marshal would.
func appendJSON(dst []byte, v any) ([]byte, error) {
	var err error
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case encodedJSON:
		if v == nil {
			return append(dst, "null"...), nil
		}
		return append(dst, v...), nil
	case string:
		return appendJSONString(dst, v), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case object:
		return appendObject(dst, v)
	case map[string]any:
		return appendJSONMap(dst, v)
	case map[string]string:
		return appendJSONMap(dst, v)
	case []any:
		return appendJSONArray(dst, v)
	case []map[string]any:
		return appendJSONArray(dst, v)
	case []encodedJSON:
		return appendJSONArray(dst, v)
	case []object:
		return appendJSONArray(dst, v)
	case []string:
		return appendJSONArray(dst, v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// appendJSONMap appends m as an object, its keys sorted as json.Marshal
// sorts them.
func appendJSONMap[V any](dst []byte, m map[string]V) ([]byte, error) {
	if m == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendJSON(append(appendJSONString(dst, k), ':'), any(m[k])); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

func appendJSONArray[T any](dst []byte, v []T) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '[')
	for i, e := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendJSON(dst, any(e)); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

// appendJSONString appends s quoted as json.Marshal quotes it: the
// strings the simulator writes (URLs, logins, SHAs) are plain ASCII and
// copied; any other goes through json.Marshal, which escapes <, > and &,
// control characters, invalid UTF-8 and U+2028/U+2029.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
