package main

import (
	"context"
	"fmt"
)

// TEMPORARY STUB: replaced by the helper that builds "zgate owners".
func runOwners(_ context.Context, e env, _ []string) int {
	fmt.Fprintln(e.stderr, "zgate owners: not built yet")
	return exitUsage
}
