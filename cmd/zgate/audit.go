package main

import (
	"context"
	"fmt"
)

// TEMPORARY STUB: replaced by the helper that builds "zgate audit".
func runAudit(_ context.Context, e env, _ []string) int {
	fmt.Fprintln(e.stderr, "zgate audit: not built yet")
	return exitUsage
}
