package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

// benchEvaluateInputs builds a big monorepo pull request: 3,000 changed
// files across 60 services, a 600-rule CODEOWNERS naming 60 teams, 100
// reviews from 80 reviewers (some stale, some changes then approvals), and
// two gates, one from CODEOWNERS and one with an attestation.
func benchEvaluateInputs(b *testing.B) (*Policy, *Facts, time.Time) {
	b.Helper()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	const head = "abc1234def5678"
	var co strings.Builder
	co.WriteString("* @acme/platform\n")
	for s := range 60 {
		fmt.Fprintf(&co, "/services/svc%02d/ @acme/team%02d\n", s, s)
		for d := range 9 {
			fmt.Fprintf(&co, "/services/svc%02d/mod%d/*.go @acme/team%02d @acme/team%02d\n", s, d, s, (s+d+1)%60)
		}
	}
	parsed, err := codeowners.Parse("CODEOWNERS", []byte(co.String()))
	if err != nil {
		b.Fatal(err)
	}
	f := &Facts{
		Repository:  "acme/mono",
		PullRequest: PullRequest{Number: 1, Author: "author", Base: "main", HeadSHA: head},
		Teams:       map[string][]string{"acme/platform": {"plat0", "plat1"}},
		Codeowners:  parsed,
		Attestations: []Attestation{{
			PredicateType: ciType, Issuer: ciIss, Identity: ciID, Commit: head, SignedAt: now.Add(-time.Hour),
		}},
	}
	for i := range 3000 {
		f.PullRequest.ChangedFiles = append(f.PullRequest.ChangedFiles,
			fmt.Sprintf("services/svc%02d/mod%d/file%04d.go", i%60, i%9, i))
	}
	for t := range 60 {
		var members []string
		for m := range 4 {
			members = append(members, fmt.Sprintf("user%02d", (t*3+m)%80))
		}
		f.Teams[fmt.Sprintf("acme/team%02d", t)] = members
	}
	for r := range 100 {
		user := fmt.Sprintf("user%02d", r%80)
		state, commit := "APPROVED", head
		switch {
		case r%7 == 0:
			commit = "0ld0000c0ffee"
		case r < 20 && r%5 == 1:
			state = "COMMENTED"
		}
		f.Reviews = append(f.Reviews, Review{User: user, State: state, CommitID: commit,
			SubmittedAt: now.Add(-time.Duration(100-r) * time.Minute)})
	}
	gate := evalGate()
	gate.Controls.Teams.FromCodeowners = true
	gate.If.Paths = []string{"services/**"}
	gate.Quorum = 40
	att := evalGate("@acme/platform", "@acme/team07")
	att.Name = "attested"
	att.Controls.Attestations = []AttestationControl{ciControl()}
	return &Policy{Gates: []Gate{gate, att}}, f, now
}

func BenchmarkEvaluate(b *testing.B) {
	p, f, now := benchEvaluateInputs(b)
	d := Evaluate(p, f, now)
	b.Logf("%s: %s (%d controls)", d.Gates[0].Name, d.Gates[0].Summary, len(d.Gates[0].Controls))
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(p, f, now)
	}
}
