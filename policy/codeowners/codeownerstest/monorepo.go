// Package codeownerstest generates realistic CODEOWNERS files and changed
// paths for the benchmarks and tests of package codeowners and of the
// commands built on it, so that every measurement runs on the same input.
package codeownerstest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Monorepo generates a realistic CODEOWNERS of n rules and m changed
// paths for a monorepo of services, libraries and shared tooling: broad
// rules (`*`, `*.proto`, `**/migrations/*.sql`, `deploy/`) at the top, as
// real files have them, then per-directory rules, some with wildcards
// (`/services/*/deploy/`, `/services/svc-001/**/*_test.go`) and some
// clearing ownership. The same seed gives the same file and paths.
func Monorepo(seed uint64, n, m int) (codeowners string, paths []string) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	exts := []string{"go", "ts", "tsx", "py", "yaml", "json", "md", "proto", "sql", "tf"}
	dirs := []string{"src", "internal", "deploy", "config", "test", "docs", "migrations", "api"}
	svc := func() string { return fmt.Sprintf("svc-%03d", r.IntN(400)) }
	owner := func() string {
		if r.IntN(4) == 0 {
			return fmt.Sprintf("@dev%d", r.IntN(900))
		}
		return fmt.Sprintf("@acme/team-%d", r.IntN(300))
	}
	var b strings.Builder
	rules := 0
	rule := func(pat string) {
		rules++
		if r.IntN(20) == 0 {
			fmt.Fprintf(&b, "%s\n", pat)
			return
		}
		fmt.Fprintf(&b, "%s %s %s\n", pat, owner(), owner())
	}
	b.WriteString("# Generated monorepo CODEOWNERS\n")
	rule("*")
	for _, e := range exts {
		rule("*." + e)
	}
	for _, d := range dirs {
		rule(d + "/")
		rule(fmt.Sprintf("**/%s/*.%s", d, exts[r.IntN(len(exts))]))
	}
	for i := range 20 {
		rule(fmt.Sprintf("Dockerfile.%d*", i))
	}
	for rules < n {
		switch k := r.IntN(100); {
		case k < 50:
			rule(fmt.Sprintf("/services/%s/", svc()))
		case k < 68:
			rule(fmt.Sprintf("/services/%s/%s/", svc(), dirs[r.IntN(len(dirs))]))
		case k < 78:
			rule(fmt.Sprintf("/libs/lib-%d/", r.IntN(300)))
		case k < 85:
			rule(fmt.Sprintf("/services/%s/deploy/prod.yaml", svc()))
		case k < 90:
			rule(fmt.Sprintf("/services/%s/*/%s/", svc(), dirs[r.IntN(len(dirs))]))
		case k < 92:
			rule(fmt.Sprintf("/services/*/%s/", dirs[r.IntN(len(dirs))]))
		case k < 96:
			rule(fmt.Sprintf("/docs/area-%d/*", r.IntN(100)))
		default:
			rule(fmt.Sprintf("/services/%s/**/*_test.go", svc()))
		}
	}
	for range m {
		var p string
		switch k := r.IntN(10); {
		case k < 7:
			p = fmt.Sprintf("services/%s/%s/pkg%d/file%d.%s", svc(), dirs[r.IntN(len(dirs))], r.IntN(20), r.IntN(100), exts[r.IntN(len(exts))])
		case k < 9:
			p = fmt.Sprintf("libs/lib-%d/src/mod%d.%s", r.IntN(300), r.IntN(40), exts[r.IntN(len(exts))])
		default:
			p = fmt.Sprintf("docs/area-%d/page%d.md", r.IntN(100), r.IntN(30))
		}
		paths = append(paths, p)
	}
	return b.String(), paths
}
