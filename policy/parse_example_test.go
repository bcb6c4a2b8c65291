package policy_test

import (
	"errors"
	"fmt"

	"github.com/zgate-dev/zgate/policy"
)

func ExampleParse() {
	p, err := policy.Parse(".github/zgate.yml", []byte(`version: 1
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
	g := p.Gates[0]
	fmt.Println(g.CheckName(), g.Controls.Teams.From, g.Controls.Teams.Fresh, g.Window, g.Then.Kind())
	// Output: zgate/production [@acme/sre @acme/security] head 24h0m0s merge
}

func ExampleParse_problems() {
	_, err := policy.Parse(".github/zgate.yml", []byte(`version: 1
gates:
  - name: Production
    quoram: 2
    window: 3 days
`))
	var problems policy.ProblemList
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Println(p)
		}
	}
	fmt.Println(errors.Is(err, policy.ErrInvalid))
	// Output:
	// .github/zgate.yml:3:11: name: "Production" must be lower-case letters, digits and dashes ([a-z0-9-]+)
	// .github/zgate.yml:4:5: gate: unknown key "quoram"; want one of name, description, if, controls, quorum, required, window, block_on_changes_requested, override, pushers, request_reviews, sign, then
	// .github/zgate.yml:5:13: window: bad duration "3 days": want e.g. 24h, 90m, 7d or 2d12h
	// true
}
