// Package proccpu reads the CPU time the process has used, for benchmarks
// that report CPU per operation: unlike wall time, it does not grow while
// the process waits for a core on a shared machine.
package proccpu

import (
	"fmt"
	"syscall"
	"time"
)

// Used returns the user and system CPU time the process has used.
func Used() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// TB is the part of testing.TB that Of uses.
type TB interface {
	Helper()
	Fatal(args ...any)
}

// Of is Used for a test or benchmark, which it fails on error.
func Of(tb TB) time.Duration {
	tb.Helper()
	d, err := Used()
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
