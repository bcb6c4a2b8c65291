// Command zgate is the two-person rule for GitOps pull requests: a GitHub
// App (serve), a GitHub Action (action) and tools for people (validate,
// simulate, owners, demo, audit, attestation).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"
)

// Exit codes shared by every subcommand.
const (
	exitOK     = 0
	exitFailed = 1 // the answer is "no": invalid policy, gate not open, bad bundle
	exitUsage  = 2 // bad arguments or unreadable input
)

// env is what a subcommand may touch of the outside world; tests fill it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// setMemoryLimit sets the process's soft memory limit
	// (debug.SetMemoryLimit in main); nil leaves it alone, as tests do.
	setMemoryLimit func(int64) int64
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) int
}

func commands() map[string]command {
	return map[string]command{
		"validate":    {"lint gate policy files", runValidate},
		"owners":      {"show CODEOWNERS owners of paths", runOwners},
		"simulate":    {"evaluate a policy against a PR snapshot offline", runSimulate},
		"snapshot":    {"write the snapshot of a live PR for simulate", runSnapshot},
		"attestation": {"verify or sign attestations bound to a commit", runAttestation},
		"serve":       {"run the GitHub App", runServe},
		"demo":        {"run the whole flow against a built-in GitHub simulator", runDemo},
		"audit":       {"verify or export the audit log", runAudit},
		"action":      {"run the engine inside a GitHub Actions job", runAction},
		"execution":   {"list Zs; confirm or fail a dispatch whose outcome is unknown", runExecution},
		"setup":       {"register the GitHub App from a manifest and write its credentials", runSetup},
		"sim":         {"run the GitHub simulator, with its control API, as a process", runSim},
		"version":     {"print the version, VCS revision and Go version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, setMemoryLimit: debug.SetMemoryLimit}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, e env, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "zgate: unknown command %q\n\n", args[0])
		usage(e.stderr, cmds)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: zgate <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
}
