package action

import (
	"strings"
	"testing"
)

// TestActionPolicyCheck (issue 9, 3): the Action reports a change of the
// rules as the commit status zgate/policy (and its per-base name), with
// the App's check text in the job summary: a lowered quorum and a path
// losing its owners are success with the weakening called out (a status
// has no neutral), a policy that does not load is failure with every
// problem listed as FILE:LINE:COL.
func TestActionPolicyCheck(t *testing.T) {
	merge := readTestdata(t, "merge.yml")
	tests := []struct {
		name        string
		files       map[string]string
		wantState   string
		wantDesc    string
		wantSummary []string
		wantAnnot   int
	}{
		{
			name:      "quorum lowered",
			files:     map[string]string{".github/zgate.yml": strings.Replace(merge, "quorum: 2", "quorum: 1", 1)},
			wantState: "success", wantDesc: "Policy change weakens gate production",
			wantSummary: []string{"## zgate/policy: acme/payments#1", "| **`production`** | **weaker: quorum lowered: 2 → 1** |"},
		},
		{
			name:      "codeowners drops security",
			files:     map[string]string{".github/CODEOWNERS": "*               @acme/platform\n/deploy/prod/   @acme/sre\n"},
			wantState: "success", wantDesc: "Policy change weakens ownership",
			wantSummary: []string{"| `deploy/prod/payments.yml` | @acme/security |"},
		},
		{
			name:      "window shortened",
			files:     map[string]string{".github/zgate.yml": strings.Replace(merge, "window: 24h", "window: 2h", 1)},
			wantState: "success", wantDesc: "Policy change: no gate is weakened",
			wantSummary: []string{"| `production` | window shortened: 24h → 2h |"},
		},
		{
			name:      "broken",
			files:     map[string]string{".github/zgate.yml": strings.Replace(merge, "window: 24h", "window: soon", 1)},
			wantState: "failure", wantDesc: "Policy does not load: 1 problem in .github/zgate.yml",
			wantSummary: []string{"| failure | `.github/zgate.yml:12:13: window: bad duration \"soon\": want e.g. 24h, 90m, 7d or 2d12h` |"},
			wantAnnot:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, "merge.yml")
			n, head := r.openPR("change", tt.files)
			res := r.runPR(n)
			got := r.statuses(head)
			for _, ctx := range []string{"zgate/policy", "zgate/policy: main"} {
				if want := tt.wantState + ": " + tt.wantDesc; got[ctx] != want {
					t.Errorf("status %s = %q, want %q", ctx, got[ctx], want)
				}
			}
			if ps := res.PRs[0].PolicyCheck; ps == nil || ps.Context != "zgate/policy: main" || ps.State != tt.wantState {
				t.Errorf("PRResult.PolicyCheck = %+v", ps)
			}
			// The gate covers its own policy file, and is judged by main's
			// policy: quorum 2, not the pull request's.
			if !strings.Contains(got["zgate/production"], "quorum is 2") {
				t.Errorf("the gate itself = %q, want it judged by main's policy (quorum 2)", got["zgate/production"])
			}
			if got := res.PRs[0].PolicyAnnotations; len(got) != tt.wantAnnot || (len(got) > 0 && (got[0].StartLine != 12 || got[0].StartColumn != 13)) {
				t.Errorf("PolicyAnnotations = %+v, want %d", got, tt.wantAnnot)
			}
			for _, w := range tt.wantSummary {
				if !strings.Contains(r.summary.String(), w) {
					t.Errorf("job summary lacks %q:\n%s", w, r.summary.String())
				}
			}
			// A second run writes nothing new.
			before := r.writes(head, "zgate/policy")
			r.runPR(n)
			if after := r.writes(head, "zgate/policy"); after != before {
				t.Errorf("a second run wrote zgate/policy again (%d → %d)", before, after)
			}
		})
	}
}

// TestActionNoPolicyCheck: a pull request that changes no rule file gets
// no zgate/policy status.
func TestActionNoPolicyCheck(t *testing.T) {
	r := newRig(t, "merge.yml")
	n, head := r.openPR("scale", nil)
	r.runPR(n)
	for ctx := range r.statuses(head) {
		if strings.HasPrefix(ctx, "zgate/policy") {
			t.Errorf("unexpected status %s", ctx)
		}
	}
}

// TestActionPolicyCheckFixesBrokenBase: main's policy does not load and a
// pull request fixes it. Every gate status fails (main's policy decides),
// but the policy check says the fix loads, and stays so run after run:
// the policy error does not take its status for a gate's.
func TestActionPolicyCheckFixesBrokenBase(t *testing.T) {
	r := newRig(t, "broken.yml")
	n, head := r.openPR("fix", map[string]string{".github/zgate.yml": readTestdata(t, "merge.yml")})
	for range 2 {
		res := r.runPR(n)
		if res.PRs[0].PolicyError == nil {
			t.Fatal("no policy error from main's broken policy")
		}
		got := r.statuses(head)
		if !strings.HasPrefix(got["zgate/policy"], "success: ") || !strings.HasPrefix(got["zgate/policy: main"], "success: ") {
			t.Errorf("policy statuses = %q, %q; want success", got["zgate/policy"], got["zgate/policy: main"])
		}
		if !strings.HasPrefix(got["zgate"], "error: ") {
			t.Errorf("zgate = %q, want the policy error", got["zgate"])
		}
	}
	if w := r.writes(head, "zgate/policy"); w != 1 {
		t.Errorf("zgate/policy written %d times, want once", w)
	}
	if !strings.Contains(r.summary.String(), "The base branch's policy does not load") {
		t.Errorf("summary:\n%s", r.summary.String())
	}
}
