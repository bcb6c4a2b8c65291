//go:build unix

package codeowners

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, so benchmarks can
// report a figure that other load on the machine does not inflate.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
