package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/buildinfo"
)

func TestVersion(t *testing.T) {
	want := buildinfo.Read()
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runCmd(t, "", nil, args...)
			if code != exitOK {
				t.Fatalf("exit %d, want 0; stderr: %s", code, errOut)
			}
			for _, line := range []string{"zgate " + want.Version + "\n", "revision: " + want.Revision, "time:     " + want.Time + "\n", "go:       " + runtime.Version() + "\n"} {
				if !strings.Contains(out, line) {
					t.Errorf("output lacks %q:\n%s", line, out)
				}
			}
		})
	}
	code, out, _ := runCmd(t, "", nil, "version", "--json")
	var got buildinfo.Info
	if err := json.Unmarshal([]byte(out), &got); code != exitOK || err != nil {
		t.Fatalf("version --json: exit %d, %v: %q", code, err, out)
	}
	if got != want {
		t.Errorf("version --json = %+v, want %+v", got, want)
	}
	if code, _, _ := runCmd(t, "", nil, "version", "extra"); code != exitUsage {
		t.Errorf("version extra: exit %d, want %d", code, exitUsage)
	}
}

// TestVersionReleaseBuild builds zgate the way .goreleaser.yaml does
// (static, -trimpath, no VCS stamping, values linked with -X) and checks
// that the binary reports them: a renamed variable would silently print
// "unknown" in every release.
func TestVersionReleaseBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "zgate")
	ldflags := "-s -w -X github.com/zgate-dev/zgate/buildinfo.version=v9.8.7" +
		" -X github.com/zgate-dev/zgate/buildinfo.revision=0123456789abcdef0123456789abcdef01234567" +
		" -X github.com/zgate-dev/zgate/buildinfo.commitTime=2026-12-01T10:00:00Z"
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("zgate --version: %v\n%s", err, out)
	}
	want := "zgate v9.8.7\nrevision: 0123456789abcdef0123456789abcdef01234567\ntime:     2026-12-01T10:00:00Z\ngo:       " + runtime.Version() + "\n"
	if string(out) != want {
		t.Errorf("zgate --version printed\n%s\nwant\n%s", out, want)
	}
}
