package codeowners_test

import (
	"fmt"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

func ExampleParse() {
	co, err := codeowners.Parse(".github/CODEOWNERS", []byte(`
*               @acme/platform
/deploy/        @acme/sre
/deploy/prod/   @acme/sre @acme/security   # production needs both
/deploy/tmp/
*.[ch]          @acme/c
`))
	for _, path := range []string{"README.md", "deploy/staging/app.yaml", "deploy/prod/app.yaml", "deploy/tmp/x"} {
		owners, line := co.Owners(path)
		fmt.Println(path, owners, line)
	}
	fmt.Println(err)
	// Output:
	// README.md [@acme/platform] 2
	// deploy/staging/app.yaml [@acme/sre] 3
	// deploy/prod/app.yaml [@acme/sre @acme/security] 4
	// deploy/tmp/x [] 0
	// .github/CODEOWNERS:6:3: pattern "*.[ch]": character ranges ([ ]) are not supported in CODEOWNERS patterns
}

func ExampleCompilePattern() {
	p, err := codeowners.CompilePattern("docs/*")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Match("docs/index.md"), p.Match("docs/api/v1.md"), p.Match("src/docs/index.md"))

	p, _ = codeowners.CompilePattern("apps/")
	fmt.Println(p.Match("apps/web/main.go"), p.Match("services/apps/x"), p.Match("apps"))
	// Output:
	// true false false
	// true true false
}
