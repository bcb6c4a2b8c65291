package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/zgate-dev/zgate/buildinfo"
)

// runVersion is `zgate version` (and `zgate --version`): the module
// version, VCS revision and time, and Go version of this binary.
func runVersion(_ context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print a JSON object (the fields /healthz shows)")
	setUsage(fs, "usage: zgate version [--json]\n\nPrints the version, VCS revision and time, and Go version of this binary.")
	if code, ok := parseFlags(fs, args, true); !ok {
		return code
	}
	in := buildinfo.Read()
	if *asJSON {
		b, err := json.Marshal(in)
		if err != nil {
			fmt.Fprintf(e.stderr, "zgate version: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
		return exitOK
	}
	modified := ""
	if in.Modified {
		modified = " (modified)"
	}
	fmt.Fprintf(e.stdout, "zgate %s\nrevision: %s%s\ntime:     %s\ngo:       %s\n", in.Version, in.Revision, modified, in.Time, in.GoVersion)
	return exitOK
}
