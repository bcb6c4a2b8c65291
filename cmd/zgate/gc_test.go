package main

import (
	"runtime/debug"
	"testing"
)

func TestPauseGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	restore := pauseGC(mapEnv(nil))
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GC percent while paused = %d, want -1 (off)", got)
	}
	if got := debug.SetMemoryLimit(-1); got != oneShotMemoryLimit {
		t.Errorf("memory limit while paused = %d, want %d", got, oneShotMemoryLimit)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent after restore = %d, want 100", got)
	}

	// A user's GOGC or GOMEMLIMIT wins.
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		restore = pauseGC(mapEnv(map[string]string{v: "50"}))
		if got := debug.SetGCPercent(100); got != 100 {
			t.Errorf("with %s set: GC percent = %d, want 100 (untouched)", v, got)
		}
		restore()
	}
}
