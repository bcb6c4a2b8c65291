package policy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

// FuzzEvaluate feeds arbitrary policies, snapshots and CODEOWNERS files to
// Evaluate and checks the safety invariants of every decision: one gate
// per policy gate, deterministic, never success while facts are missing or
// the pull request is a draft, a person counts for one team only, never
// the author, a pusher of the head or a bot, no override before the head
// was seen, and success only with the quorum and every required
// control held, or a valid override.
func FuzzEvaluate(f *testing.F) {
	var cases []string
	for _, pattern := range []string{
		filepath.Join("testdata", "evaluate", "golden", "*"),
		filepath.Join("..", "examples", "*"),
	} {
		dirs, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		cases = append(cases, dirs...)
	}
	for _, dir := range cases {
		pol, err1 := os.ReadFile(filepath.Join(dir, "zgate.yml"))
		snap, err2 := os.ReadFile(filepath.Join(dir, "snapshot.json"))
		if err1 != nil || err2 != nil {
			continue
		}
		co, _ := os.ReadFile(filepath.Join(dir, "CODEOWNERS"))
		f.Add(pol, snap, co)
	}
	f.Fuzz(func(t *testing.T, pol, snap, co []byte) {
		p, err := Parse("zgate.yml", pol)
		if err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(snap))
		dec.DisallowUnknownFields()
		var facts Facts
		if dec.Decode(&facts) != nil {
			return
		}
		if len(co) > 0 {
			facts.Codeowners, _ = codeowners.Parse("CODEOWNERS", co)
		}
		now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
		if facts.Now != nil {
			now = *facts.Now
		}
		d := Evaluate(p, &facts, now)
		if again := Evaluate(p, &facts, now); !cmp.Equal(d, again) {
			t.Fatalf("Evaluate is not deterministic:\n%s", cmp.Diff(d, again))
		}
		if len(d.Gates) != len(p.Gates) {
			t.Fatalf("got %d gate decisions for %d gates", len(d.Gates), len(p.Gates))
		}
		for i, gd := range d.Gates {
			checkGateInvariants(t, &p.Gates[i], &facts, now, gd)
		}
	})
}

func checkGateInvariants(t *testing.T, g *Gate, f *Facts, now time.Time, gd GateDecision) {
	t.Helper()
	if gd.Name != g.Name || gd.Missing == nil || gd.Controls == nil {
		t.Fatalf("gate %q: bad decision shape %+v", g.Name, gd)
	}
	isBot := func(login string) bool {
		l := strings.ToLower(login)
		if strings.HasSuffix(l, "[bot]") {
			return true
		}
		for _, b := range f.Bots {
			if strings.EqualFold(b, login) {
				return true
			}
		}
		return false
	}
	// headPusher: whoever pushed the head counts as an author under every
	// pushers rule.
	headPusher := func(login string) bool {
		for _, p := range f.Pushers {
			if strings.EqualFold(p.Login, login) && f.PullRequest.HeadSHA != "" && strings.EqualFold(p.HeadSHA, f.PullRequest.HeadSHA) {
				return true
			}
		}
		return false
	}
	switch gd.State {
	case StateSkipped:
		if len(gd.Controls) != 0 {
			t.Errorf("gate %q: skipped with controls", g.Name)
		}
		return
	case StateSuccess, StatePending, StateFailure:
	default:
		t.Fatalf("gate %q: state %q", g.Name, gd.State)
	}
	seen := map[string]string{}
	held := 0
	for _, c := range gd.Controls {
		if !c.Held {
			continue
		}
		held++
		if c.Kind != ControlTeam {
			continue
		}
		by := strings.ToLower(c.By)
		if other, dup := seen[by]; dup {
			t.Errorf("gate %q: %s holds both %s and %s", g.Name, c.By, other, c.ID)
		}
		seen[by] = c.ID
		if strings.EqualFold(c.By, f.PullRequest.Author) || isBot(c.By) || headPusher(c.By) {
			t.Errorf("gate %q: %s held by the author, a pusher or a bot (%s)", g.Name, c.ID, c.By)
		}
		if c.At == nil || now.Sub(*c.At) > gateWindow(g) {
			t.Errorf("gate %q: %s held by an approval outside the window", g.Name, c.ID)
		}
	}
	if held > 0 && gd.ExpiresAt == nil {
		t.Errorf("gate %q: %d controls held but no expires_at", g.Name, held)
	}
	if gd.State != StateSuccess {
		return
	}
	if len(f.Unavailable) > 0 || f.PullRequest.Draft {
		t.Errorf("gate %q: success with unavailable facts or a draft", g.Name)
	}
	if gd.Override != nil {
		if g.Override == nil || len(gd.Override.By) < max(g.Override.Approvals, 1) {
			t.Errorf("gate %q: override %+v does not meet %+v", g.Name, gd.Override, g.Override)
		}
		for _, by := range gd.Override.By {
			if strings.EqualFold(by, f.PullRequest.Author) || isBot(by) || headPusher(by) {
				t.Errorf("gate %q: override by the author, a pusher or a bot (%s)", g.Name, by)
			}
		}
		if f.PullRequest.HeadSeenAt == nil {
			t.Errorf("gate %q: override without knowing when the head was first seen", g.Name)
		}
		return
	}
	if held < gd.Quorum || gd.Quorum < 1 {
		t.Errorf("gate %q: success with %d held, quorum %d", g.Name, held, gd.Quorum)
	}
	for _, c := range gd.Controls {
		if c.Required && !c.Held {
			t.Errorf("gate %q: success without required %s", g.Name, c.ID)
		}
	}
}
