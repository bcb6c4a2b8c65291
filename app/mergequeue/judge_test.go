package mergequeue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/policy"
)

// pull is a member's state for the fake source.
type pull struct {
	state, head, base   string
	noPolicy, badPolicy bool
	gates               map[string]policy.State
}

func source(pulls map[int]pull) Source {
	return func(_ context.Context, n int) (*facts.Result, policy.Decision, error) {
		p, ok := pulls[n]
		if !ok {
			return nil, policy.Decision{}, fmt.Errorf("no #%d", n)
		}
		res := &facts.Result{HeadSHA: p.head, BaseRef: p.base, PR: &github.PullRequest{State: github.String(p.state),
			Base: &github.PullRequestBranch{Repo: &github.Repository{DefaultBranch: github.String("main")}}}}
		switch {
		case p.noPolicy:
			res.PolicyErr = facts.ErrNoPolicy
			return res, policy.Decision{}, nil
		case p.badPolicy:
			res.PolicyErr = errors.New("zgate.yml:3: bad")
			return res, policy.Decision{}, nil
		}
		res.Policy = &policy.Policy{}
		var dec policy.Decision
		for _, name := range []string{"production", "docs"} {
			if st, ok := p.gates[name]; ok {
				dec.Gates = append(dec.Gates, policy.GateDecision{Name: name, State: st, Summary: "summary of " + string(st)})
			}
		}
		return res, dec, nil
	}
}

func TestJudge(t *testing.T) {
	h1, h2 := strings.Repeat("1", 40), strings.Repeat("2", 40)
	group := Group{HeadSHA: strings.Repeat("9", 40), Last: Ref{"main", 2, h2}, Members: []Ref{{"main", 1, h1}, {"main", 2, h2}}}
	ok := map[string]policy.State{"production": policy.StateSuccess, "docs": policy.StateSkipped}
	open := func(head string, gates map[string]policy.State) pull {
		return pull{state: "open", head: head, base: "main", gates: gates}
	}
	tests := []struct {
		name  string
		group Group
		pulls map[int]pull
		// want is gate -> "ok" or the text the failing title must hold.
		want map[string]string
	}{
		{"all hold", group, map[int]pull{1: open(h1, ok), 2: open(h2, ok)}, map[string]string{"production": "ok", "docs": "ok"}},
		{"one lost its approval", group, map[int]pull{1: open(h1, ok), 2: open(h2, map[string]policy.State{"production": policy.StatePending, "docs": policy.StateSkipped})},
			map[string]string{"production": "#2 no longer holds production", "docs": "ok"}},
		{"changes requested", group, map[int]pull{1: open(h1, map[string]policy.State{"production": policy.StateFailure, "docs": policy.StateSuccess}), 2: open(h2, ok)},
			map[string]string{"production": "#1 no longer holds production", "docs": "ok"}},
		{"head moved", group, map[int]pull{1: open(h2, ok), 2: open(h2, ok)}, map[string]string{"production": "#1 moved", "docs": "#1 moved"}},
		{"closed", group, map[int]pull{1: {state: "closed", head: h1, base: "main", gates: ok}, 2: open(h2, ok)}, map[string]string{"production": "#1 is closed", "docs": "#1 is closed"}},
		{"retargeted", group, map[int]pull{1: {state: "open", head: h1, base: "dev", gates: ok}, 2: open(h2, ok)}, map[string]string{"production": "#1 now targets dev", "docs": "#1 now targets dev"}},
		{"gate missing on one", group, map[int]pull{1: open(h1, map[string]policy.State{"production": policy.StateSuccess}), 2: open(h2, ok)},
			map[string]string{"production": "ok", "docs": "#1 has no decision for docs"}},
		{"not gated", group, map[int]pull{1: {state: "open", head: h1, base: "main", noPolicy: true}, 2: {state: "open", head: h2, base: "main", noPolicy: true}}, map[string]string{}},
		{"policy error", group, map[int]pull{1: {state: "open", head: h1, base: "main", badPolicy: true}, 2: {state: "open", head: h2, base: "main", badPolicy: true}},
			map[string]string{"": "cannot be loaded"}},
		{"unknown group", Group{HeadSHA: group.HeadSHA, Last: group.Last, Err: fmt.Errorf("%w: test", ErrUnknownGroup)}, map[int]pull{2: open(h2, ok)},
			map[string]string{"": "cannot tell", "production": "cannot tell", "docs": "cannot tell"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, def, err := Judge(context.Background(), tt.group, source(tt.pulls))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Verdict{}
			for _, v := range vs {
				got[v.Gate] = v
			}
			if len(got) != len(tt.want) {
				t.Errorf("verdicts %+v, want gates %v", vs, tt.want)
			}
			for gate, want := range tt.want {
				v, found := got[gate]
				switch {
				case !found:
					t.Errorf("no verdict for %q", gate)
				case want == "ok" && !v.OK:
					t.Errorf("%q: failed %q, want ok", gate, v.Title)
				case want != "ok" && (v.OK || !strings.Contains(v.Title, want)):
					t.Errorf("%q: ok=%v %q, want a failure with %q", gate, v.OK, v.Title, want)
				}
			}
			if len(tt.want) > 0 && !tt.pulls[1].badPolicy && def != "main" && tt.group.Err == nil {
				t.Errorf("default branch %q, want main", def)
			}
		})
	}
}
