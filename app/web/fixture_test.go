package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/facts"
	"github.com/zgate-dev/zgate/app/store"
	"github.com/zgate-dev/zgate/policy"
)

// t0 is the fixtures' pinned time: every time in them derives from it.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const head = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// fixturePolicy has gates gates: gate-0 merges (with an override rule),
// gate-1 dispatches, gate-2 needs an attestation and sends a
// repository_dispatch, the rest only report.
func fixturePolicy(gates int) string {
	var b strings.Builder
	b.WriteString("version: 1\ngates:\n")
	for i := range gates {
		fmt.Fprintf(&b, "  - name: gate-%d\n    controls:\n      teams:\n        from: [\"@acme/sre\", \"@acme/security\"]\n        fresh: head\n", i)
		if i == 2 {
			b.WriteString("      attestations:\n        - name: ci\n          predicate_type: https://zgate.dev/ci-result/v1\n" +
				"          issuer: https://token.actions.githubusercontent.com\n" +
				"          identity: '^https://github\\.com/acme/ci/\\.github/workflows/test\\.yml@refs/heads/main$'\n")
		}
		b.WriteString("    window: 24h\n")
		switch i {
		case 0:
			b.WriteString("    override:\n      teams: [\"@acme/incident\"]\n      approvals: 2\n    then:\n      merge: {method: squash}\n")
		case 1:
			b.WriteString("    then:\n      dispatch: {workflow: deploy.yml, ref: main, inputs: {env: production, sha: \"{{ .PR.HeadSHA }}\"}}\n")
		case 2:
			b.WriteString("    then:\n      repository_dispatch: {event_type: release, client_payload: {pr: \"{{ .PR.Number }}\"}}\n")
		}
	}
	return b.String()
}

// fixture is a pull request of files changed files and reviews reviews
// (carol's approval of the head among them) under fixturePolicy(gates),
// decided at t0+2h.
func fixture(t testing.TB, files, reviews, gates int) Input {
	t.Helper()
	p, err := policy.Parse(".github/zgate.yml", []byte(fixturePolicy(gates)))
	if err != nil {
		t.Fatal(err)
	}
	seen := t0.Add(-time.Hour)
	res := &facts.Result{
		PR: &github.PullRequest{Number: github.Int(42), Title: github.String("Scale payments to 4 replicas"), State: github.String("open"),
			HTMLURL: github.String("https://github.com/acme/payments/pull/42"), User: &github.User{Login: github.String("alice")}},
		HeadSHA: head, BaseRef: "main", Policy: p, PolicyFile: ".github/zgate.yml", PolicyRef: "9fceb02d0ae598e95dc970b74767f19372d61af8",
		CodeownersFile: ".github/CODEOWNERS", BaseTrusted: true,
	}
	f := &res.Facts
	f.Repository = "acme/payments"
	f.PullRequest = policy.PullRequest{Number: 42, Author: "alice", Base: "main", HeadSHA: head, HeadSeenAt: &seen}
	for i := range files {
		f.PullRequest.ChangedFiles = append(f.PullRequest.ChangedFiles, fmt.Sprintf("services/payments/file-%04d.go", i))
	}
	f.Teams = map[string][]string{
		"acme/sre":      {"carol", "bob"},
		"acme/security": {"dave", "renovate[bot]", "alice"},
		"acme/incident": {"erin", "frank"},
	}
	f.Bots = []string{"renovate[bot]"}
	f.Reviews = []policy.Review{{User: "carol", State: "APPROVED", CommitID: head, SubmittedAt: t0}}
	for i := 1; i < reviews; i++ {
		f.Reviews = append(f.Reviews, policy.Review{User: fmt.Sprintf("reviewer-%d", i), State: "COMMENTED", CommitID: head, SubmittedAt: t0.Add(time.Duration(i) * time.Second)})
	}
	f.Comments = []policy.Comment{
		{User: "erin", Body: "/zgate override payments are down, rollback", CreatedAt: t0.Add(time.Minute)},
		{User: "frank", Body: "/zgate override confirmed with on-call", CreatedAt: t0.Add(2 * time.Minute)},
	}
	f.Attestations = []policy.Attestation{{PredicateType: "https://zgate.dev/ci-result/v1", Issuer: "https://token.actions.githubusercontent.com",
		Identity: "https://github.com/acme/ci/.github/workflows/test.yml@refs/heads/main", SignerWorkflow: "acme/ci/.github/workflows/test.yml@refs/heads/main",
		Commit: head, SignedAt: t0.Add(30 * time.Minute)}}
	f.RejectedAttestations = []policy.RejectedAttestation{{Source: "sha256:5e1f", Reason: "signed by https://github.com/evil/ci/.github/workflows/x.yml@refs/heads/main, not an allowed identity"}}
	now := t0.Add(2 * time.Hour)
	key := store.PRKey{Installation: 1, Owner: "acme", Repo: "payments", Number: 42}
	rec := func(seq int64, at time.Time, kind, gate string, data any) store.AuditRecord {
		b, _ := json.Marshal(data)
		return store.AuditRecord{Seq: seq, Time: at, Kind: kind, Repo: "acme/payments", PR: 42, Gate: gate, HeadSHA: head, Data: b}
	}
	return Input{
		Res: res, Decision: facts.Evaluate(res, now), RepoURL: "https://github.com/acme/payments", Now: now,
		Executions: []store.Execution{{ID: "ex-1", Key: key, Gate: "gate-0", HeadSHA: head, Kind: "merge", Status: store.ExecDone,
			Detail: "merged as 0123456789abcdef0123456789abcdef01234567", Created: t0.Add(3 * time.Minute), Updated: t0.Add(3 * time.Minute)}},
		Records: []store.AuditRecord{
			rec(7, t0.Add(-time.Hour), "decision", "gate-0", map[string]any{"state": "pending", "summary": "0 of 2 controls hold"}),
			rec(9, t0.Add(2*time.Minute), "decision", "gate-0", map[string]any{"state": "success", "summary": "opened by override"}),
			rec(10, t0.Add(2*time.Minute), "override", "gate-0", map[string]any{"by": []string{"erin", "frank"}, "reasons": []string{"payments are down, rollback", "confirmed with on-call"}}),
			rec(11, t0.Add(3*time.Minute), "execution", "gate-0", map[string]any{"kind": "merge", "status": "done", "detail": "merged as 0123456789ab"}),
		},
	}
}
