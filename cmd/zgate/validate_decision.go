package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/zgate-dev/zgate/attest"
	"github.com/zgate-dev/zgate/policy"
)

// decisionKeyWarnings checks, for a policy file read from a checkout, that
// every decision control's key file exists there and holds a public key:
// the App reads it from the base branch and fails the gate closed when it
// cannot. The repository root is the directory holding .github for a
// policy under .github/, else the policy's own directory. Nothing is
// checked for standard input.
func decisionKeyWarnings(file string, p *policy.Policy) []policy.Problem {
	if file == "-" || file == "<stdin>" {
		return nil
	}
	dir := filepath.Dir(file)
	root := dir
	if filepath.Base(dir) == ".github" {
		root = filepath.Dir(dir)
	}
	var out []policy.Problem
	for _, g := range p.Gates {
		c := g.Controls.Decision
		if c == nil {
			continue
		}
		warn := func(format string, args ...any) {
			out = append(out, policy.Problem{File: p.File, Line: c.Line, Msg: "warning: controls.decision.key: " + fmt.Sprintf(format, args...)})
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(c.Key)))
		if err != nil {
			warn("%s cannot be read in this checkout (%v): the gate fails closed until the base branch has it", c.Key, err)
			continue
		}
		if _, err := attest.ParsePublicKeys(data); err != nil {
			warn("%s holds no usable public key (%v): the gate fails closed", c.Key, err)
		}
	}
	return out
}
