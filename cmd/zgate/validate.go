package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/zgate-dev/zgate/policy"
)

// defaultPolicyFiles are tried in order when `zgate validate` gets no file.
var defaultPolicyFiles = []string{".github/zgate.yml", ".github/zgate.yaml"}

// runValidate is `zgate validate [FILE...]`: it lints gate policy files,
// printing FILE:LINE:COL: message per problem, or FILE: ok, preceded by
// FILE:LINE:COL: warning: message per warning (policy.Warnings). "-" reads
// standard input. Exit 0 when every file is valid (warnings or not), 1
// when any is invalid, 2 when a file cannot be read or the flags are bad.
// Inside GitHub Actions (GITHUB_ACTIONS=true) each problem and warning is
// followed by its workflow command ("::error file=F,line=L,col=C::msg"),
// which the runner shows as an annotation on that line.
func runValidate(_ context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: zgate validate [FILE...]")
		fmt.Fprintln(e.stderr, "\nChecks gate policy files; FILE defaults to .github/zgate.yml (or .github/zgate.yaml).")
		fmt.Fprintln(e.stderr, `"-" reads standard input. Exit 0 valid (also with warnings), 1 invalid, 2 unreadable file or bad flags.`)
	}
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	files := fs.Args()
	if len(files) == 0 {
		f, err := findDefaultPolicy()
		if err != nil {
			fmt.Fprintf(e.stderr, "zgate validate: %v\n", err)
			return exitUsage
		}
		files = []string{f}
	}
	// Inside GitHub Actions every problem is also a workflow command, so
	// the runner annotates its line; the plain lines stay for the log.
	annotate := inGitHubActions(e)
	code := exitOK
	for _, file := range files {
		data, name, err := readPolicyFile(e, file)
		if isTooLarge(err) {
			// Readable, but no policy: invalid, as the parser says of it.
			fmt.Fprintln(e.stdout, err)
			if code == exitOK {
				code = exitFailed
			}
			continue
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "zgate validate: %v\n", err)
			code = exitUsage
			continue
		}
		p, err := policy.Parse(name, data)
		var problems policy.ProblemList
		switch {
		case err == nil:
			// Warnings describe a valid policy: they never change the
			// exit code.
			for _, w := range append(policy.Warnings(p), decisionKeyWarnings(file, p)...) {
				fmt.Fprintln(e.stdout, w.String())
				if annotate {
					printProblemCommand(e.stdout, w)
				}
			}
			fmt.Fprintf(e.stdout, "%s: ok\n", name)
		case errors.As(err, &problems):
			for _, p := range problems {
				fmt.Fprintln(e.stdout, p.String())
				if annotate {
					printProblemCommand(e.stdout, p)
				}
			}
			if code == exitOK {
				code = exitFailed
			}
		default:
			fmt.Fprintf(e.stdout, "%s: %v\n", name, err)
			if annotate {
				fmt.Fprintln(e.stdout, workflowCommand("error", name, 0, 0, err.Error()))
			}
			if code == exitOK {
				code = exitFailed
			}
		}
	}
	return code
}

// findDefaultPolicy returns the first default policy file that exists.
func findDefaultPolicy() (string, error) {
	for _, f := range defaultPolicyFiles {
		if _, err := os.Stat(f); err == nil {
			return f, nil
		}
	}
	return "", fmt.Errorf("no policy file: neither %s nor %s exists (name a FILE)", defaultPolicyFiles[0], defaultPolicyFiles[1])
}

// readPolicyFile reads file, or standard input for "-", refusing anything
// larger than the parser accepts.
func readPolicyFile(e env, file string) (data []byte, name string, err error) {
	if file != "-" {
		data, err = readCapped(file, "policy file", policy.MaxFileSize)
		return data, file, err
	}
	if e.stdin == nil {
		return nil, "", errors.New("read standard input: not available")
	}
	data, err = readAllCapped(e.stdin, "<stdin>", "policy file", policy.MaxFileSize)
	return data, "<stdin>", err
}
