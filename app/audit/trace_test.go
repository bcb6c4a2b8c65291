package audit

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zgate-dev/zgate/app/store"
)

// TestTraceIDInData: an entry's trace id goes into its data as
// "trace_id", a log mixing records with and without one (older ones)
// verifies, and data that is not an object is kept as it is.
func TestTraceIDInData(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l := New(s, func() time.Time { return time.Unix(1_800_000_000, 0) })
	entries := []Entry{
		{Kind: KindDecision, Data: map[string]string{"state": "pending"}}, // written before traces
		{Kind: KindDecision, Data: map[string]string{"state": "success"}, TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"},
		{Kind: KindDecision, Data: struct{}{}, TraceID: "00f067aa0ba902b7"},
		{Kind: KindDecision, Data: []int{1}, TraceID: "ignored"},
	}
	var recs []store.AuditRecord
	for _, e := range entries {
		r, err := l.Append(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	want := []string{`{"state":"pending"}`, `{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","state":"success"}`, `{"trace_id":"00f067aa0ba902b7"}`, `[1]`}
	for i, r := range recs {
		if string(r.Data) != want[i] {
			t.Errorf("record %d data = %s, want %s", i+1, r.Data, want[i])
		}
	}
	if n, err := Verify(ctx, s); err != nil || n != 4 {
		t.Errorf("Verify = %d, %v; want 4, nil", n, err)
	}
}

// FuzzWithTraceID: for any JSON object and id, the result is a JSON
// object with trace_id set to id and every other member unchanged.
func FuzzWithTraceID(f *testing.F) {
	f.Add(`{}`, "abc")
	f.Add(`{"a":1,"b":[2,3]}`, "4bf92f3577b34da6a3ce929d0e0e4736")
	f.Add(`{"x":"\u0000"}`, `"quoted"`)
	f.Fuzz(func(t *testing.T, obj, id string) {
		var in map[string]json.RawMessage
		if json.Unmarshal([]byte(obj), &in) != nil || in == nil || id == "" || !utf8.ValidString(id) {
			return
		}
		canon, err := json.Marshal(in) // as json.Marshal of a value writes it
		if err != nil {
			return
		}
		if _, dup := in["trace_id"]; dup {
			return
		}
		var out map[string]json.RawMessage
		if err := json.Unmarshal(withTraceID(canon, id), &out); err != nil {
			t.Fatalf("withTraceID(%s, %q) is not JSON: %v", canon, id, err)
		}
		var got string
		if err := json.Unmarshal(out["trace_id"], &got); err != nil || got != id {
			t.Fatalf("trace_id = %s, want %q", out["trace_id"], id)
		}
		delete(out, "trace_id")
		a, _ := json.Marshal(in)
		b, _ := json.Marshal(out)
		if string(a) != string(b) {
			t.Fatalf("members changed: %s -> %s", a, b)
		}
	})
}
