package main

import "runtime/debug"

// oneShotMemoryLimit is the heap past which a command run with
// [pauseGC] collects garbage again. The largest CODEOWNERS GitHub reads
// (3 MiB) parses into about 40 MiB; a path list larger than the rest of
// this budget is not a pull request's.
const oneShotMemoryLimit = 256 << 20

// pauseGC turns the garbage collector off for a command that runs once and
// exits, unless the user set GOGC or GOMEMLIMIT: its heap dies with the
// process, so collecting it is wasted work, and with the default GOGC the
// runtime collected two or three times while `zgate owners` parsed 5,000
// rules and matched 3,000 paths (a third of its CPU). Past
// [oneShotMemoryLimit] the collector runs again, so a huge input still
// fits in memory. The returned function restores the previous settings
// (tests run commands in-process).
func pauseGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(oneShotMemoryLimit)
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
