package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

const simulateUsage = `usage: zgate simulate --policy FILE [--codeowners FILE] --snapshot FILE [--now RFC3339] [--json]

Evaluates a gate policy against a saved pull-request snapshot (docs/snapshot.md)
offline. Exit 0 when no applicable gate is pending or failing, 1 when one is,
2 on invalid input or an unloadable policy.
`

// simulateArgs are the parsed flags of `zgate simulate`.
type simulateArgs struct {
	policy, codeowners, snapshot, now string
	json                              bool
}

// runSimulate implements `zgate simulate`.
func runSimulate(_ context.Context, e env, args []string) int {
	a, code, ok := parseSimulateArgs(e, args)
	if !ok {
		return code
	}
	p, err := readSimulatePolicy(a.policy)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		if a.json {
			writeSimulateJSON(e.stdout, policy.ErrorDecision(p, err))
		}
		return exitUsage
	}
	facts, err := readSnapshot(a.snapshot)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate simulate: %v\n", err)
		return exitUsage
	}
	if a.codeowners != "" {
		co, err := readSimulateCodeowners(a.codeowners)
		if co == nil {
			fmt.Fprintf(e.stderr, "zgate simulate: %v\n", err)
			return exitUsage
		}
		if err != nil {
			// Evaluate fails the gates that take owners from this file, with
			// the reason; the problems themselves are worth seeing here.
			fmt.Fprintf(e.stderr, "zgate simulate: warning: CODEOWNERS has problems:\n%v\n", err)
		}
		facts.Codeowners = co
	} else if g := simulateCodeownersGate(p); g != "" {
		fmt.Fprintf(e.stderr, "zgate simulate: gate %q takes its teams from CODEOWNERS: pass --codeowners FILE\n", g)
		return exitUsage
	}
	now, err := simulationTime(a.now, facts)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate simulate: %v\n", err)
		return exitUsage
	}

	d := policy.Evaluate(p, facts, now)
	if a.json {
		if err := writeSimulateJSON(e.stdout, d); err != nil {
			fmt.Fprintf(e.stderr, "zgate simulate: %v\n", err)
			return exitUsage
		}
	} else {
		writeSimulateText(e.stdout, d, now)
	}
	for _, g := range d.Gates {
		switch g.State {
		case policy.StatePending, policy.StateFailure, policy.StateError:
			return exitFailed
		}
	}
	return exitOK
}

// parseSimulateArgs parses the flags; ok is false when the command must
// stop with code.
func parseSimulateArgs(e env, args []string) (a simulateArgs, code int, ok bool) {
	fs := flag.NewFlagSet("zgate simulate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, simulateUsage, "\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&a.policy, "policy", "", "gate policy `FILE` (.github/zgate.yml of the base branch)")
	fs.StringVar(&a.codeowners, "codeowners", "", "CODEOWNERS `FILE` of the base branch (needed when a gate takes its teams from CODEOWNERS)")
	fs.StringVar(&a.snapshot, "snapshot", "", "pull-request snapshot `FILE` (JSON, see docs/snapshot.md)")
	fs.StringVar(&a.now, "now", "", "evaluation time, `RFC3339` (default: the snapshot's now, else the current time)")
	fs.BoolVar(&a.json, "json", false, "print the decision as JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return a, exitOK, false
		}
		return a, exitUsage, false
	}
	var missing []string
	if a.policy == "" {
		missing = append(missing, "--policy")
	}
	if a.snapshot == "" {
		missing = append(missing, "--snapshot")
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(e.stderr, "zgate simulate: unexpected argument %q\n", fs.Arg(0))
	case len(missing) > 0:
		fmt.Fprintf(e.stderr, "zgate simulate: %s required\n", strings.Join(missing, " and "))
	default:
		return a, exitOK, true
	}
	fmt.Fprint(e.stderr, simulateUsage)
	return a, exitUsage, false
}

// readSimulatePolicy reads and parses the policy file. Its error prints one
// FILE:LINE:COL problem per line.
func readSimulatePolicy(file string) (*policy.Policy, error) {
	data, err := readCapped(file, "policy file", policy.MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("zgate simulate: %w", err)
	}
	return policy.Parse(file, data)
}

// readSimulateCodeowners reads and parses a CODEOWNERS file. A non-nil result with
// an error means the file has invalid lines, which are skipped.
func readSimulateCodeowners(file string) (*codeowners.File, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CODEOWNERS: %w", err)
	}
	return codeowners.Parse(file, data)
}

// simulateCodeownersGate names the first gate that takes its teams from CODEOWNERS.
func simulateCodeownersGate(p *policy.Policy) string {
	for _, g := range p.Gates {
		if g.Controls.Teams.FromCodeowners {
			return g.Name
		}
	}
	return ""
}

// readSnapshot reads a snapshot file: policy.Facts as JSON, decoded
// strictly so that a misspelt field is an error rather than a silently
// missing fact.
func readSnapshot(file string) (*policy.Facts, error) {
	data, err := readCapped(file, "snapshot", maxSnapshotSize)
	if err != nil {
		return nil, err
	}
	f, err := decodeSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return f, nil
}

// decodeSnapshot decodes and checks a snapshot. Errors carry the line and
// column of the problem where encoding/json reports an offset.
func decodeSnapshot(data []byte) (*policy.Facts, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f policy.Facts
	if err := dec.Decode(&f); err != nil {
		return nil, snapshotError(data, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, snapshotError(data, dec.InputOffset(), errors.New("unexpected data after the snapshot object"))
	}
	if f.PullRequest.HeadSHA == "" || f.PullRequest.Author == "" {
		return nil, errors.New("pull_request.head_sha and pull_request.author are required")
	}
	for i, r := range f.Reviews {
		if r.User == "" || r.SubmittedAt.IsZero() {
			return nil, fmt.Errorf("reviews[%d]: user and submitted_at are required", i)
		}
	}
	for i, c := range f.Comments {
		if c.User == "" || c.CreatedAt.IsZero() {
			return nil, fmt.Errorf("comments[%d]: user and created_at are required", i)
		}
	}
	for i, p := range f.Pushers {
		if p.Login == "" || p.HeadSHA == "" {
			return nil, fmt.Errorf("pushers[%d]: login and head_sha are required", i)
		}
	}
	for i, a := range f.Attestations {
		if a.SignedAt.IsZero() {
			return nil, fmt.Errorf("attestations[%d]: signed_at is required", i)
		}
	}
	for i, d := range f.Decisions {
		if d.Repository == "" || d.Gate == "" || d.Key == "" || d.Commit == "" || d.SignedAt.IsZero() || d.DecidedAt.IsZero() {
			return nil, fmt.Errorf("decisions[%d]: repository, gate, key, commit, decided_at and signed_at are required", i)
		}
	}
	return &f, nil
}

// snapshotError says what is wrong with a snapshot in JSON's terms, at
// LINE:COL where the problem can be located.
func snapshotError(data []byte, offset int64, err error) error {
	at, msg := jsonProblem(data, err, "the snapshot")
	if at < 0 {
		at = offset
	}
	if at < 0 || at > int64(len(data)) {
		return fmt.Errorf("invalid snapshot: %s", msg)
	}
	before := data[:at]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(at) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("%d:%d: invalid snapshot: %s", line, col, msg)
}

// simulationTime is --now, else the snapshot's now, else the clock.
func simulationTime(flagNow string, f *policy.Facts) (time.Time, error) {
	if flagNow != "" {
		t, err := time.Parse(time.RFC3339, flagNow)
		if err != nil {
			return time.Time{}, fmt.Errorf("--now: want RFC 3339 (2026-11-24T12:00:00Z): %w", err)
		}
		return t, nil
	}
	if f.Now != nil {
		return *f.Now, nil
	}
	return time.Now(), nil
}
