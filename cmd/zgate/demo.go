package main

import (
	"context"
	"fmt"
)

// TEMPORARY STUB: replaced by the helper that builds "zgate demo".
func runDemo(_ context.Context, e env, _ []string) int {
	fmt.Fprintln(e.stderr, "zgate demo: not built yet")
	return exitUsage
}
