package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCmd runs the command line in-process with stdin and the environment
// getenv (nil: empty) and returns its exit code and output.
func runCmd(t *testing.T, stdin string, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: getenv}, args)
	return code, out.String(), errb.String()
}

// mapEnv is an environment of the variables in vars.
func mapEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}
