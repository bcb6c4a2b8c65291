// Package examples_test checks every example policy: each directory holds
// a policy, its CODEOWNERS, a pull-request snapshot and the states the
// gates must reach, and the test parses and simulates it. workflows/ holds
// GitHub Actions workflows instead, checked by workflows_test.go.
package examples_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// exampleFiles must exist in every example directory.
var exampleFiles = []string{"zgate.yml", "CODEOWNERS", "snapshot.json", "README.md", "expected.json"}

func TestExamples(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "testdata" || e.Name() == "workflows" || e.Name() == "monitoring" {
			continue
		}
		if e.Name() == "deploy" { // deployment files, checked in cmd/zgate (deploy_test.go)
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) { checkExample(t, e.Name()) })
	}
	if n < 5 {
		t.Errorf("found %d examples, want at least 5", n)
	}
}

func checkExample(t *testing.T, dir string) {
	data := map[string][]byte{}
	for _, name := range exampleFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("every example needs %s: %v", name, err)
		}
		data[name] = b
	}
	p, err := policy.Parse(filepath.Join(dir, "zgate.yml"), data["zgate.yml"])
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	co, err := codeowners.Parse(filepath.Join(dir, "CODEOWNERS"), data["CODEOWNERS"])
	if err != nil {
		t.Fatalf("codeowners.Parse:\n%v", err)
	}
	var facts policy.Facts
	decodeStrict(t, "snapshot.json", data["snapshot.json"], &facts)
	if facts.Now == nil {
		t.Fatal("snapshot.json needs \"now\" so the example is reproducible")
	}
	facts.Codeowners = co
	var want map[string]policy.State
	decodeStrict(t, "expected.json", data["expected.json"], &want)

	d := policy.Evaluate(p, &facts, *facts.Now)
	got := map[string]policy.State{}
	for _, g := range d.Gates {
		got[g.Name] = g.State
	}
	if diff := cmp.Diff(want, got); diff != "" {
		for _, g := range d.Gates {
			t.Logf("%s: %s: %s; missing %q", g.Name, g.State, g.Summary, g.Missing)
		}
		t.Errorf("gate states mismatch (-expected.json +got):\n%s", diff)
	}
}

func decodeStrict(t *testing.T, name string, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}
