package githubsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// TestAppendJSONMatchesMarshal holds appendJSON to json.Marshal's bytes
// on the shapes the simulator builds and on the awkward values it must
// hand to json.Marshal.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	u := user{Login: "a<b>", ID: 7, Type: "User"}
	var nilUser *user
	values := []any{
		nil, true, false, 0, -3, int64(1) << 60, 1.5, "", "plain https://x/{a}",
		"html <b> & \"q\" \\ \n\t\x01 \u2028 \u2029 é \xff",
		map[string]any{"b": 1, "a": map[string]any{"z": nil, "y": []any{}}, "c": []string{"x"}},
		map[string]any{}, map[string]any(nil), map[string]string{"k": "v", "<": ">"},
		map[string]string(nil), []any(nil), []string(nil), []map[string]any{{"x": 1}},
		[]map[string]any{}, []encodedJSON{encodedJSON(`{"a":1}`)},
		map[string]any{"raw": json.RawMessage(" { \"a\" : \"<\" } "), "enc": encodedJSON(`[1,2]`), "nilenc": encodedJSON(nil)},
		map[string]any{"user": u, "ptr": &u, "nilptr": nilUser, "time": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		map[string]any{"é": 1, "a&b": 2, "Z": 3, "_links": 4},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeJSON(v)
		if err != nil {
			t.Fatalf("encodeJSON(%#v): %v", v, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("encodeJSON(%#v)\n got %s\nwant %s", v, got, want)
		}
	}
	// The golden payloads, decoded into maps, encode alike too.
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		must(t, err)
		var v any
		must(t, json.Unmarshal(b, &v))
		want, _ := json.Marshal(v)
		got, err := encodeJSON(v)
		must(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: encodeJSON differs from json.Marshal", f)
		}
	}
}

// TestObjectEncodesAsMap holds an object to the map with the same
// members, in any order and with repeated keys (the last counts).
func TestObjectEncodesAsMap(t *testing.T) {
	for _, c := range []struct {
		o    object
		want map[string]any
	}{
		{object{{"a", 1}, {"b", object{{"y", nil}, {"x", "<"}}}}, map[string]any{"a": 1, "b": map[string]any{"x": "<", "y": nil}}},
		{object{{"z", 1}, {"_l", 2}, {"a", 3}, {"z", 4}}, map[string]any{"z": 4, "_l": 2, "a": 3}},
		{object{}, map[string]any{}},
		{nil, nil},
	} {
		want, err := json.Marshal(c.want)
		must(t, err)
		got, err := encodeJSON(c.o)
		must(t, err)
		viaMarshal, err := json.Marshal(map[string]any{"o": c.o, "list": []object{c.o}})
		must(t, err)
		wantNested, _ := json.Marshal(map[string]any{"o": c.want, "list": []any{c.want}})
		if !bytes.Equal(got, want) || !bytes.Equal(viaMarshal, wantNested) {
			t.Errorf("object %v encodes as %s and, in json.Marshal, %s; want %s and %s", c.o, got, viaMarshal, want, wantNested)
		}
	}
	if !sortedObject(object{{"a", 1}, {"b", 2}}) || sortedObject(object{{"b", 1}, {"a", 2}}) || sortedObject(object{{"a", 1}, {"a", 2}}) {
		t.Error("sortedObject is wrong")
	}
}

// FuzzAppendJSONString holds the string encoder to json.Marshal's.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "<&>", "\u2028", "\xff", "\"\\", "\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestObjectsSorted keeps the members of the objects built on every
// review event (pull request, review, check run) listed in key order, so
// that encoding them takes the path that sorts nothing.
func TestObjectsSorted(t *testing.T) {
	e := newEnv(t, Options{})
	n, head := e.openPR(t, "scale", map[string]string{"deploy/prod/app.yaml": "replicas: 3\n"})
	_, err := e.sim.SubmitReview("acme", "payments", n, "bob", "APPROVE", "")
	must(t, err)
	_, _, err = e.gh.Checks.CreateCheckRun(context.Background(), "acme", "payments", github.CreateCheckRunOptions{Name: "c", HeadSHA: head})
	must(t, err)
	e.sim.mu.Lock()
	defer e.sim.mu.Unlock()
	r, p, err := e.sim.findPull("acme", "payments", n)
	must(t, err)
	var check func(path string, v any)
	check = func(path string, v any) {
		switch v := v.(type) {
		case object:
			if !sortedObject(v) {
				t.Errorf("%s: members not sorted by key", path)
			}
			for _, m := range v {
				check(path+"."+m.key, m.val)
			}
		case []object:
			for _, o := range v {
				check(path+"[]", o)
			}
		}
	}
	check("pull_request", e.sim.pullObject(r, p))
	check("review", e.sim.reviewObject(r, p, p.reviews[0], "APPROVED"))
	run := r.runsOn(head)[0]
	check("check_run", e.sim.checkRunObject(r, run, false))
	check("check_run(hook)", e.sim.checkRunObject(r, run, true))
}

// TestUserJSONAfterRename: a login given up by a rename is a new user
// with a new id; the cached encoding of the old one must not answer for
// it.
func TestUserJSONAfterRename(t *testing.T) {
	s := New(Options{})
	s.mu.Lock()
	defer s.mu.Unlock()
	before := s.userJSON("dave")
	s.mu.Unlock()
	must(t, s.RenameUser("dave", "david"))
	s.mu.Lock()
	for _, login := range []string{"dave", "david"} {
		want, err := json.Marshal(s.user(login))
		must(t, err)
		if got := s.userJSON(login); !bytes.Equal(got, want) {
			t.Errorf("userJSON(%s) after the rename = %s, want %s", login, got, want)
		}
	}
	if bytes.Equal(s.userJSON("dave"), before) {
		t.Error("dave's old encoding still answers")
	}
}

// TestNodeID holds nodeID to the fmt verb it replaces.
func TestNodeID(t *testing.T) {
	for _, id := range []int64{0, 7, 1001, 12345678, 99999999, 100000000, 1 << 40, -5} {
		if got, want := nodeID("PR", id), fmt.Sprintf("%s_kgDO%08d", "PR", id); got != want {
			t.Errorf("nodeID(PR, %d) = %s, want %s", id, got, want)
		}
	}
}
