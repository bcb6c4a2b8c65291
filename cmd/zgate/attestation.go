package main

import (
	"context"
	"fmt"
)

// TEMPORARY STUB: replaced by the helper that builds "zgate attestation".
func runAttestation(_ context.Context, e env, _ []string) int {
	fmt.Fprintln(e.stderr, "zgate attestation: not built yet")
	return exitUsage
}
