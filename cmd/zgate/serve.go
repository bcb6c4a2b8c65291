package main

import (
	"context"
	"fmt"
)

// TEMPORARY STUB: replaced by the helper that builds "zgate serve".
func runServe(_ context.Context, e env, _ []string) int {
	fmt.Fprintln(e.stderr, "zgate serve: not built yet")
	return exitUsage
}
