package main

import (
	"flag"
	"math"

	"github.com/zgate-dev/zgate/app"
)

// minMemoryLimitMB is the least soft memory limit `zgate serve` sets by
// default (see memoryLimit).
const minMemoryLimitMB = 64

// memoryFlags are `zgate serve`'s memory and debugging flags.
type memoryFlags struct {
	memoryLimitMB int
	debugPprof    string
}

// memoryEnv maps each memory flag to its environment variable.
func memoryEnv() map[string]string {
	return map[string]string{
		"memory-limit-mb": "ZGATE_MEMORY_LIMIT_MB",
		"debug-pprof":     "ZGATE_DEBUG_PPROF",
	}
}

func (f *memoryFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.memoryLimitMB, "memory-limit-mb", 0, "soft memory limit of the Go runtime, in MB (the collector works harder near it); 0: twice --github-cache-mb, at least 64; negative: none")
	fs.StringVar(&f.debugPprof, "debug-pprof", "", "serve Go's profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; keep it private; empty serves none")
}

// apply sets the options the flags map to.
func (f *memoryFlags) apply(o *app.Options) {
	o.DebugPprof = f.debugPprof
}

// memoryLimit is the soft limit of the Go runtime (debug.SetMemoryLimit)
// to set, in bytes, and whether to set it: the flag when given (or its
// variable); else GOMEMLIMIT when the environment sets it (the runtime
// has read it); else the default, twice the GitHub cache budget, at least
// minMemoryLimitMB.
//
// Why a limit: the live heap of `zgate serve` is mostly that cache (a few
// KB per open pull request, see ghclient/compact.go) and each worker's
// evaluation, and with the default GOGC=100 the heap grows to twice the
// live heap before a collection; under a burst of webhooks the backlog's
// bodies add to that. A soft limit makes the collector run earlier as the
// process nears it, at some CPU, instead of the process growing. Twice
// the cache leaves room for the rest when the cache is full, so the
// collector does not run back to back; it is soft: memory is never
// refused, and the runtime caps the collector at half the CPU.
func (f *memoryFlags) memoryLimit(fs *flag.FlagSet, getenv func(string) string, cacheMB int) (int64, bool) {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "memory-limit-mb" })
	mb := f.memoryLimitMB
	switch {
	case set && mb < 0:
		return math.MaxInt64, true // none: the runtime's default
	case set && mb > 0:
		return int64(mb) << 20, true
	case getenv("GOMEMLIMIT") != "":
		return 0, false
	}
	if cacheMB == 0 {
		cacheMB = app.DefaultGitHubCacheMB
	}
	return int64(max(2*cacheMB, minMemoryLimitMB)) << 20, true
}
