package policy

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParse decodes the documented example (three gates) and a large
// monorepo-style policy with one gate per directory.
func BenchmarkParse(b *testing.B) {
	full := readTestdata(b, "valid/full.yaml")
	var big strings.Builder
	big.WriteString("version: 1\ngates:\n")
	for i := range 100 {
		fmt.Fprintf(&big, `  - name: service-%d
    if:
      base: [main, "release/*"]
      paths: ["services/svc%d/**", "deploy/svc%d/"]
    controls:
      teams:
        from: ["@acme/svc%d", "@acme/sre"]
      attestations:
        - name: ci
          predicate_type: https://zgate.dev/ci-result/v1
          issuer: https://token.actions.githubusercontent.com
          identity: 'https://github\.com/acme/mono/\.github/workflows/ci\.yml@refs/heads/main'
    required: ["@acme/sre", ci]
    window: 2d
    then:
      dispatch:
        workflow: deploy.yml
        ref: main
        inputs: {service: svc%d, pr: "{{ .PR.Number }}"}
`, i, i, i, i, i)
	}
	for _, bc := range []struct {
		name string
		data []byte
	}{
		{"docs-example", full},
		{"100-gates", []byte(big.String())},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if _, err := Parse("zgate.yml", bc.data); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse("zgate.yml", bc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
