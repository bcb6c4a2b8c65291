package report

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const head = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"

func loadPolicy(t *testing.T) *policy.Policy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "zgate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(".github/zgate.yml", data)
	if err != nil {
		t.Fatalf("testdata/zgate.yml: %v", err)
	}
	return p
}

func loadDecision(t *testing.T, name string) policy.GateDecision {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var d policy.GateDecision
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return d
}

// golden compares got with testdata/name.golden.md, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func render(c Content) string {
	var b strings.Builder
	b.WriteString("<!-- name: " + c.Name + " | status: " + c.Status + " | conclusion: " + c.Conclusion + " -->\n")
	b.WriteString("<!-- title: " + c.Title + " -->\n\n")
	b.WriteString(c.Summary)
	return b.String()
}

func TestCheckRunGolden(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	res := &facts.Result{HeadSHA: head, BaseRef: "main", Policy: loadPolicy(t)}
	unknown := &store.Execution{ID: "x7f3", Kind: "dispatch", Status: store.ExecUnknown,
		Detail: "the dispatch call failed without an answer", Created: now, Updated: now}
	merged := &store.Execution{ID: "m1", Kind: "merge", Status: store.ExecDone,
		Detail: "merged as 9f8e7d6", Created: now, Updated: now.Add(time.Second)}
	tests := []struct {
		name           string
		exec           *store.Execution
		wantStatus     string
		wantConclusion string
	}{
		{name: "success", exec: merged, wantStatus: StatusCompleted, wantConclusion: ConclusionSuccess},
		{name: "pending-missing-teams", wantStatus: StatusInProgress},
		{name: "failure-changes-requested", wantStatus: StatusCompleted, wantConclusion: ConclusionFailure},
		{name: "override", wantStatus: StatusCompleted, wantConclusion: ConclusionSuccess},
		{name: "skipped", wantStatus: StatusCompleted, wantConclusion: ConclusionSkipped},
		{name: "dispatch-unknown", exec: unknown, wantStatus: StatusCompleted, wantConclusion: ConclusionSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := loadDecision(t, tt.name)
			c := CheckRun(res, d, Options{Now: now, Execution: tt.exec, DetailsURL: "https://zgate.example/pr/42"})
			if c.Status != tt.wantStatus || c.Conclusion != tt.wantConclusion {
				t.Errorf("status, conclusion = %q, %q; want %q, %q", c.Status, c.Conclusion, tt.wantStatus, tt.wantConclusion)
			}
			if want := CheckName(d.Name, "main"); c.Name != want {
				t.Errorf("name = %q, want %q (per base)", c.Name, want)
			}
			again := CheckRun(res, d, Options{Now: now.Add(time.Hour), Execution: tt.exec, DetailsURL: "https://zgate.example/pr/42"})
			if again.Fingerprint != c.Fingerprint {
				t.Error("fingerprint changed with Now alone, want it stable")
			}
			golden(t, tt.name, render(c))
		})
	}
}

func TestPolicyErrorGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "bad.yml"))
	if err != nil {
		t.Fatal(err)
	}
	_, perr := policy.Parse(".github/zgate.yml", data)
	if perr == nil {
		t.Fatal("policy.Parse(bad.yml) error = nil, want problems")
	}
	c := PolicyError(".github/zgate.yml", perr)
	if c.Conclusion != ConclusionFailure || c.Name != policy.ErrorCheckName {
		t.Errorf("name, conclusion = %q, %q; want %q, failure", c.Name, c.Conclusion, policy.ErrorCheckName)
	}
	golden(t, "policy-error", render(c))

	// The same failure, rendered per gate from policy.ErrorDecision.
	ed := policy.ErrorDecision(nil, perr)
	if len(ed.Gates) != 1 {
		t.Fatalf("ErrorDecision gates = %d, want 1", len(ed.Gates))
	}
	gc := CheckRun(nil, ed.Gates[0], Options{})
	if gc.Conclusion != ConclusionFailure || gc.Name != policy.ErrorCheckName {
		t.Errorf("error gate name, conclusion = %q, %q; want %q, failure", gc.Name, gc.Conclusion, policy.ErrorCheckName)
	}
	golden(t, "gate-error", render(gc))

	renamed := c.WithName("zgate/production")
	if renamed.Fingerprint == c.Fingerprint || renamed.Summary != c.Summary {
		t.Error("WithName kept the fingerprint or changed the summary")
	}
}

// TestCheckRunWaitsGolden: an open merge gate that waits for another
// applicable gate says which, in its title and text (issue 7, 1.3).
func TestCheckRunWaitsGolden(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	res := &facts.Result{HeadSHA: head, BaseRef: "main", Policy: loadPolicy(t)}
	d := loadDecision(t, "success")
	waits := []policy.GateDecision{{Name: "docs", State: policy.StatePending}, {Name: "deploy", State: policy.StateFailure}}
	c := CheckRun(res, d, Options{Now: now, WaitsFor: waits})
	if c.Status != StatusCompleted || c.Conclusion != ConclusionSuccess {
		t.Errorf("status, conclusion = %q, %q; want the gate's own: completed, success", c.Status, c.Conclusion)
	}
	if plain := CheckRun(res, d, Options{Now: now}); plain.Fingerprint == c.Fingerprint {
		t.Error("fingerprint unchanged by WaitsFor, want the check rewritten when what it waits for changes")
	}
	golden(t, "success-waits", render(c))
}

func TestFingerprintChangesWithContent(t *testing.T) {
	res := &facts.Result{HeadSHA: head, Policy: loadPolicy(t)}
	d := loadDecision(t, "pending-missing-teams")
	a := CheckRun(res, d, Options{})
	d.Controls[0].Held = !d.Controls[0].Held
	if b := CheckRun(res, d, Options{}); a.Fingerprint == b.Fingerprint {
		t.Error("fingerprint unchanged after a control flipped")
	}
}

func TestMarkdownEscaping(t *testing.T) {
	d := policy.GateDecision{Name: "x", Check: "zgate/x", State: policy.StatePending,
		Summary:  "pending <script>alert(1)</script>",
		Controls: []policy.ControlResult{{ID: "@acme/a|b", Kind: policy.ControlTeam, Reason: "line1\nline2 | pipe"}}}
	c := CheckRun(nil, d, Options{})
	for _, bad := range []string{"<script>", "line1\nline2", "a|b"} {
		if strings.Contains(c.Summary, bad) {
			t.Errorf("summary contains %q unescaped:\n%s", bad, c.Summary)
		}
	}
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("é", maxSummary+10)
	got := truncate(long, maxSummary)
	if n := len([]rune(got)); n != maxSummary {
		t.Errorf("truncated length = %d runes, want %d", n, maxSummary)
	}
}
