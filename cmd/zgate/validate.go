package main

import (
	"context"
	"fmt"
)

// TEMPORARY STUB: replaced by the helper that builds "zgate validate".
func runValidate(_ context.Context, e env, _ []string) int {
	fmt.Fprintln(e.stderr, "zgate validate: not built yet")
	return exitUsage
}
