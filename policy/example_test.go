package policy_test

import (
	"fmt"
	"time"

	"github.com/zgate-dev/zgate/policy"
)

// ExampleEvaluate shows the two-person rule: production manifests need an
// approval from each owning team, through two different people.
func ExampleEvaluate() {
	p, err := policy.Parse(".github/zgate.yml", []byte(`
version: 1
gates:
  - name: production
    if:
      paths: ["deploy/prod/**"]
    controls:
      teams:
        from: ["@acme/sre", "@acme/security"]
    window: 24h
    then:
      merge: {method: squash}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	facts := &policy.Facts{
		Repository: "acme/payments",
		PullRequest: policy.PullRequest{
			Number: 42, Author: "alice", Base: "main", HeadSHA: "abc1234def",
			ChangedFiles: []string{"deploy/prod/app.yaml"},
		},
		Reviews: []policy.Review{
			// bob is in both teams, but one person counts for one team only.
			{User: "bob", State: "APPROVED", CommitID: "abc1234def", SubmittedAt: now.Add(-2 * time.Hour)},
			// alice's own approval never counts.
			{User: "alice", State: "APPROVED", CommitID: "abc1234def", SubmittedAt: now.Add(-time.Hour)},
		},
		Teams: map[string][]string{
			"acme/sre":      {"alice", "bob", "carol"},
			"acme/security": {"bob", "dave"},
		},
	}

	for _, g := range policy.Evaluate(p, facts, now).Gates {
		fmt.Printf("%s: %s (%s)\n", g.Check, g.State, g.Summary)
		for _, c := range g.Controls {
			fmt.Printf("  %s held=%v: %s\n", c.ID, c.Held, c.Reason)
		}
		for _, m := range g.Missing {
			fmt.Println("  missing:", m)
		}
	}
	// Output:
	// zgate/production: pending (1 of 2 controls hold; the quorum is 2)
	//   @acme/sre held=false: approved only by bob (counted for @acme/security); one person counts for one team only. Not counted: alice is the author (self-approval does not count)
	//   @acme/security held=true: bob approved abc1234 at 2026-11-24T10:00:00Z
	//   missing: 1 more control (quorum 2 of 2)
	//   missing: @acme/sre: approval from one of carol
}
