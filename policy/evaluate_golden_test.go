package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

// updateEvaluate rewrites the golden decisions in testdata/evaluate/golden.
var updateEvaluate = flag.Bool("update-evaluate", false, "rewrite testdata/evaluate/golden/*/decision.golden")

// TestEvaluateGolden evaluates each testdata/evaluate/golden/<case> (a
// policy, a snapshot and, optionally, CODEOWNERS) and compares the whole
// decision, explanations included, with decision.golden.
func TestEvaluateGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "evaluate", "golden", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no golden cases found")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p, f := loadEvaluateCase(t, dir)
			got, err := json.MarshalIndent(Evaluate(p, f, *f.Now), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join(dir, "decision.golden")
			if *updateEvaluate {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update-evaluate to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("decision differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// loadEvaluateCase reads a case directory: zgate.yml, snapshot.json (with
// "now") and an optional CODEOWNERS.
func loadEvaluateCase(t testing.TB, dir string) (*Policy, *Facts) {
	t.Helper()
	file := filepath.Join(dir, "zgate.yml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(file, data)
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	data, err = os.ReadFile(filepath.Join(dir, "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Facts
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decode snapshot: %v", err)
	}
	if f.Now == nil {
		t.Fatal("snapshot.json needs \"now\"")
	}
	file = filepath.Join(dir, "CODEOWNERS")
	data, err = os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		t.Fatal(err)
	default:
		co, err := codeowners.Parse(file, data)
		if err != nil {
			t.Fatalf("codeowners.Parse:\n%v", err)
		}
		f.Codeowners = co
	}
	return p, &f
}
