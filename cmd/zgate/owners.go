package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

// ownerJSON is one element of `zgate owners --json`.
type ownerJSON struct {
	Path   string   `json:"path"`
	Owners []string `json:"owners"`
	// Line is the 1-based CODEOWNERS line that decided; 0 when unowned.
	Line int `json:"line"`
}

// runOwners is `zgate owners [--codeowners FILE] [--json] [PATH...]`: it
// prints the owners of each path per the last matching CODEOWNERS rule.
// Paths come from the arguments, else one per line on standard input.
// Invalid CODEOWNERS lines are reported on stderr as FILE:LINE:COL: message
// and skipped, as GitHub skips them. Paths are read as repository paths
// (./a is a); one outside the repository (../a, /a) is refused. Exit 0,
// or 2 on bad flags, an unreadable file or a bad path.
func runOwners(_ context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("owners", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	file := fs.String("codeowners", "", "CODEOWNERS `FILE` (default: the first of "+strings.Join(codeowners.Locations, ", ")+")")
	asJSON := fs.Bool("json", false, `print a JSON array of {"path", "owners", "line"}`)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: zgate owners [--codeowners FILE] [--json] [PATH...]")
		fmt.Fprintln(e.stderr, "\nPrints PATH<TAB>owners for each path (read from standard input, one per line,")
		fmt.Fprintln(e.stderr, "when none is given), relative to the repository root: ./a is a, ../a and /a are refused.")
		fmt.Fprintln(e.stderr, "Exit 0, or 2 on bad flags, an unreadable file or a path outside the repository.")
		fmt.Fprintln(e.stderr)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, false); !ok {
		return code
	}
	defer pauseGC(e.getenv)()
	name := *file
	if name == "" {
		var err error
		if name, err = findCodeowners(); err != nil {
			fmt.Fprintf(e.stderr, "zgate owners: %v\n", err)
			return exitUsage
		}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(e.stderr, "zgate owners: %v\n", err)
		return exitUsage
	}
	co, err := codeowners.Parse(name, data)
	var problems codeowners.ProblemList
	switch {
	case errors.As(err, &problems):
		for _, p := range problems {
			fmt.Fprintln(e.stderr, p.String())
		}
	case err != nil:
		fmt.Fprintf(e.stderr, "zgate owners: %v\n", err)
		return exitUsage
	}
	paths := fs.Args()
	if len(paths) == 0 {
		if paths, err = readLines(e); err != nil {
			fmt.Fprintf(e.stderr, "zgate owners: reading paths from standard input: %v\n", err)
			return exitUsage
		}
	}
	// Every path is checked before any answer: a bad one in a list
	// must not leave a partial answer that looks whole.
	clean := make([]string, len(paths))
	for i, p := range paths {
		if clean[i], err = repoPath(p); err != nil {
			fmt.Fprintf(e.stderr, "zgate owners: %v\n", err)
			return exitUsage
		}
	}
	if *asJSON {
		return writeOwnersJSON(e, co, paths, clean)
	}
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	var buf []byte
	for i, p := range paths {
		owners, _ := owned(co, clean[i])
		buf = append(append(buf[:0], p...), '\t')
		for i, o := range owners {
			if i > 0 {
				buf = append(buf, ' ')
			}
			buf = append(buf, o...)
		}
		w.Write(append(buf, '\n')) // an error sticks; Flush reports it
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "zgate owners: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// owned is [codeowners.File.Owners] without the copy: the owners of path
// per the last matching rule and its line; nil and 0 when no rule matches
// or the rule clears ownership. The slice is the file's: read it only.
func owned(co *codeowners.File, path string) (owners []string, line int) {
	r, ok := co.Rule(path)
	if !ok || len(r.Owners) == 0 {
		return nil, 0
	}
	return r.Owners, r.Line
}

// writeOwnersJSON writes the JSON array of ownerJSON, byte for byte what
// encoding/json's indenting encoder would write, but streamed: an entry
// at a time through one buffer, without building the value and
// re-indenting it (for 3,000 paths that was a third of the command's CPU).
// TestOwnersJSONMatchesEncodingJSON holds the two equal.
// paths are printed as given; clean are the repository paths matched.
func writeOwnersJSON(e env, co *codeowners.File, paths, clean []string) int {
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	if len(paths) == 0 {
		w.WriteString("[]\n")
	} else {
		w.WriteString("[\n")
	}
	var buf []byte
	for i, p := range paths {
		owners, line := owned(co, clean[i])
		buf = append(buf[:0], "  {\n    \"path\": "...)
		buf = appendJSONString(buf, p)
		buf = append(buf, ",\n    \"owners\": ["...)
		for j, o := range owners {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, "\n      "...)
			buf = appendJSONString(buf, o)
		}
		if len(owners) > 0 {
			buf = append(buf, "\n    "...)
		}
		buf = append(buf, "],\n    \"line\": "...)
		buf = strconv.AppendInt(buf, int64(line), 10)
		buf = append(buf, "\n  }"...)
		if i < len(paths)-1 {
			buf = append(buf, ',')
		}
		w.Write(append(buf, '\n')) // an error sticks; Flush reports it
	}
	if len(paths) > 0 {
		w.WriteString("]\n")
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "zgate owners: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// findCodeowners returns the first CODEOWNERS GitHub would read, relative
// to the working directory.
func findCodeowners() (string, error) {
	for _, f := range codeowners.Locations {
		if _, err := os.Stat(f); err == nil {
			return f, nil
		}
	}
	return "", fmt.Errorf("no CODEOWNERS file (looked for %s); pass --codeowners FILE", strings.Join(codeowners.Locations, ", "))
}

// readLines returns the non-empty lines of standard input, without their
// line endings.
func readLines(e env) ([]string, error) {
	var lines []string
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSuffix(sc.Text(), "\r"); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return lines, nil
}
