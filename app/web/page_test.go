package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; -update rewrites it):\n%s", name, diff)
	}
}

func TestPageJSONGolden(t *testing.T) {
	p := Build(fixture(t, 3, 2, 4))
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "page.json", append(b, '\n'))
}

func TestPageHTMLGolden(t *testing.T) {
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	p := Build(fixture(t, 3, 2, 4))
	var buf bytes.Buffer
	if err := r.render(&buf, "page", view{Title: "zgate · acme/payments#42", Login: "carol", Page: &p}); err != nil {
		t.Fatal(err)
	}
	golden(t, "page.html", buf.Bytes())
}

// TestPageContent checks what the issue asks the page to say, on the
// fixture, independent of the golden files' layout.
func TestPageContent(t *testing.T) {
	p := Build(fixture(t, 3, 2, 4))
	gate := func(name string) Gate {
		for _, g := range p.Gates {
			if g.Name == name {
				return g
			}
		}
		t.Fatalf("no gate %s in %+v", name, p.Gates)
		return Gate{}
	}
	g0, g1, g2 := gate("gate-0"), gate("gate-1"), gate("gate-2")
	if g0.State != "success" || g0.Override == nil || !slices.Equal(g0.Override.By, []string{"erin", "frank"}) {
		t.Errorf("gate-0 = %s, override %+v; want success by the override of erin and frank", g0.State, g0.Override)
	}
	if len(g0.Results) != 1 || g0.Results[0].Link != "https://github.com/acme/payments/commit/0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("gate-0 results = %+v, want the merge with a link to its commit", g0.Results)
	}
	if g1.State != "pending" || len(g1.MissingTeams) != 1 || g1.MissingTeams[0].Team != "@acme/security" {
		t.Fatalf("gate-1 = %s, missing %+v; want pending for @acme/security", g1.State, g1.MissingTeams)
	}
	// carol counts for sre; security's candidates are never the author
	// (alice) nor a bot.
	if got := g1.MissingTeams[0].Candidates; !slices.Equal(got, []string{"dave"}) {
		t.Errorf("security candidates = %v, want [dave]", got)
	}
	var held Control
	for _, c := range g1.Controls {
		if c.Held {
			held = c
		}
	}
	if held.By != "carol" || held.Commit != head || held.Until == nil || !held.Until.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("held control = %+v, want carol at the head until t0+24h", held)
	}
	if g1.Action.Kind != "dispatch" || g1.Action.Workflow != "deploy.yml" || g1.Action.Inputs["env"] != "production" {
		t.Errorf("gate-1 action = %+v", g1.Action)
	}
	var ci Control
	for _, c := range g2.Controls {
		if c.ID == "ci" {
			ci = c
		}
	}
	if !ci.Held || !strings.Contains(ci.By, "acme/ci") || g2.Action.EventType != "release" {
		t.Errorf("gate-2 ci control = %+v, action %+v", ci, g2.Action)
	}
	if len(p.Rejected) != 1 || !strings.Contains(p.Rejected[0].Reason, "not an allowed identity") {
		t.Errorf("rejected attestations = %+v", p.Rejected)
	}
	if p.Policy.File != ".github/zgate.yml" || p.Policy.BaseSHA == "" {
		t.Errorf("policy source = %+v", p.Policy)
	}
	var kinds []string
	for _, e := range p.Timeline {
		kinds = append(kinds, e.Kind)
	}
	if !slices.Equal(kinds, []string{"decision", "decision", "override", "execution"}) || !strings.Contains(p.Timeline[2].Text, "erin, frank") {
		t.Errorf("timeline = %+v", p.Timeline)
	}
}
