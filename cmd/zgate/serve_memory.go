package main

import (
	"flag"
	"math"

	"github.com/zgate-dev/zgate/app"
)

// defaultMemoryLimitMB is `zgate serve`'s soft memory limit (the Go
// runtime's, debug.SetMemoryLimit): with 1,000 open pull requests the live
// heap is about 40 MB (the GitHub answer cache, parsed policies, the store's
// page caches), and with the default GOGC=100 the heap grows to twice that
// before a collection, so RSS peaked near 150 MB. A soft limit makes the
// collector run earlier as the heap nears it instead: the peak stays under
// 100 MB at a small CPU cost. It is soft: a live heap above it is never
// refused memory, the collector just works harder (and gives up past 50%
// of CPU, so it cannot thrash). docs/config.md, "Memory".
const defaultMemoryLimitMB = 80

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
	fs.IntVar(&f.memoryLimitMB, "memory-limit-mb", defaultMemoryLimitMB, "soft memory limit of the Go runtime, in MB (the collector runs harder near it); 0 leaves the runtime's (GOMEMLIMIT)")
	fs.StringVar(&f.debugPprof, "debug-pprof", "", "serve Go's profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; keep it private; empty serves none")
}

// apply sets the options the flags map to.
func (f *memoryFlags) apply(o *app.Options) {
	o.DebugPprof = f.debugPprof
}

// memoryLimit is the soft limit to set, in bytes, and whether to set it:
// the flag when given (or its variable), else GOMEMLIMIT when the
// environment sets it (the runtime read it already), else the default.
func (f *memoryFlags) memoryLimit(fs *flag.FlagSet, getenv func(string) string) (int64, bool) {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "memory-limit-mb" })
	switch {
	case !set && getenv("GOMEMLIMIT") != "":
		return 0, false
	case f.memoryLimitMB <= 0:
		return math.MaxInt64, true // no limit, the runtime's default
	}
	return int64(f.memoryLimitMB) << 20, true
}
