package facts

import (
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/policy"
)

func recheckResult(now time.Time) *Result {
	p := &policy.Policy{Gates: []policy.Gate{{
		Name:     "prod",
		Controls: policy.Controls{Teams: policy.TeamControls{From: []string{"@alice"}, Fresh: policy.FreshHead}},
		Quorum:   1,
		Window:   time.Hour,
	}}}
	return &Result{
		PR:           &github.PullRequest{State: github.String("open")},
		HeadSHA:      "aaa",
		BaseRef:      "weak",
		Policy:       p,
		PolicyDigest: "p1",
		Facts: policy.Facts{
			PullRequest: policy.PullRequest{Number: 1, Author: "bob", HeadSHA: "aaa"},
			Reviews:     []policy.Review{{User: "alice", State: "APPROVED", CommitID: "aaa", SubmittedAt: now.Add(-time.Minute)}},
		},
	}
}

func TestRecheck(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		gate    string
		fresh   func(r *Result)
		wantAct bool
	}{
		{name: "still open on the same head", gate: "prod", fresh: func(*Result) {}, wantAct: true},
		{name: "head moved", gate: "prod", fresh: func(r *Result) { r.HeadSHA = "bbb" }},
		{name: "closed", gate: "prod", fresh: func(r *Result) { r.PR.State = github.String("closed") }},
		{name: "policy unloadable", gate: "prod", fresh: func(r *Result) { r.Policy = nil }},
		{name: "approval dismissed", gate: "prod", fresh: func(r *Result) { r.Facts.Reviews = nil }},
		{name: "window closed", gate: "prod", fresh: func(r *Result) { r.Facts.Reviews[0].SubmittedAt = now.Add(-2 * time.Hour) }},
		{name: "gate gone from the policy", gate: "staging", fresh: func(*Result) {}},
		{name: "retargeted", gate: "prod", fresh: func(r *Result) { r.BaseRef = "main" }},
		{name: "policy changed on the base", gate: "prod", fresh: func(r *Result) { r.PolicyDigest = "other" }},
		{name: "base moved, same policy", gate: "prod", fresh: func(r *Result) {
			r.PR.Base = &github.PullRequestBranch{SHA: github.String("newbase")}
		}, wantAct: true},
		{name: "merge waits for another gate", gate: "prod", fresh: func(r *Result) {
			r.Policy.Gates[0].Then = policy.Action{Merge: &policy.MergeAction{Method: "squash"}}
			r.Policy.Gates = append(r.Policy.Gates, policy.Gate{Name: "docs", Controls: policy.Controls{Teams: policy.TeamControls{From: []string{"@carol"}, Fresh: policy.FreshHead}}, Quorum: 1, Window: time.Hour})
		}},
		{name: "a gate that does not merge does not wait", gate: "prod", fresh: func(r *Result) {
			r.Policy.Gates = append(r.Policy.Gates, policy.Gate{Name: "docs", Controls: policy.Controls{Teams: policy.TeamControls{From: []string{"@carol"}, Fresh: policy.FreshHead}}, Quorum: 1, Window: time.Hour})
		}, wantAct: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh := recheckResult(now)
			tt.fresh(fresh)
			g, why := Recheck(recheckResult(now), fresh, tt.gate, now)
			if got := g != nil; got != tt.wantAct {
				t.Fatalf("Recheck acts = %v (why %q), want %v", got, why, tt.wantAct)
			}
			if g != nil && g.Name != tt.gate {
				t.Errorf("Recheck gate = %q, want %q", g.Name, tt.gate)
			}
			if g == nil && why == "" {
				t.Errorf("Recheck gave no reason for not acting")
			}
		})
	}
}
