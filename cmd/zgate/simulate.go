package main

import (
	"context"
	"fmt"
)

// TEMPORARY STUB: replaced by the helper that builds "zgate simulate".
func runSimulate(_ context.Context, e env, _ []string) int {
	fmt.Fprintln(e.stderr, "zgate simulate: not built yet")
	return exitUsage
}
