// Package action_test tests install.sh, the script action.yml runs to put
// the zgate binary in place: a release binary checked against the checksum
// committed at the action's ref, or a build from source.
package action_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/app/githubsim"
)

const (
	actionRepoOwner, actionRepoName = "zgate-dev", "zgate"
	version                         = "1.2.3"
)

// runnerEnv is RUNNER_OS and RUNNER_ARCH of a runner like this machine.
func runnerEnv(t *testing.T) (goos, goarch string, env []string) {
	t.Helper()
	osName := map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if osName == "" || arch == "" {
		t.Skipf("install.sh is tested on Linux and macOS on amd64 or arm64, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return runtime.GOOS, runtime.GOARCH, []string{"RUNNER_OS=" + osName, "RUNNER_ARCH=" + arch}
}

// script runs install.sh with args and env added to a clean environment.
func script(t *testing.T, env []string, args ...string) (out, stderr string, err error) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	cmd := exec.Command("bash", append([]string{"install.sh"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"GOCACHE=" + goEnv(t, "GOCACHE"), "GOMODCACHE=" + goEnv(t, "GOMODCACHE"), "GOFLAGS=" + os.Getenv("GOFLAGS")}, env...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	b, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(b))
}

// releaseBinary builds zgate as .goreleaser.yaml does for this machine.
func releaseBinary(t *testing.T) []byte {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "zgate")
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false",
		"-ldflags", "-s -w -X github.com/zgate-dev/zgate/buildinfo.version=v"+version, "-o", bin, "../cmd/zgate")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// actionCheckout is the action's checkout at a release commit: just the
// committed action/checksums.txt (empty content: no file, not a release).
func actionCheckout(t *testing.T, checksums string) string {
	t.Helper()
	dir := t.TempDir()
	if checksums == "" {
		return dir
	}
	if err := os.MkdirAll(filepath.Join(dir, "action"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "action", "checksums.txt"), []byte(checksums), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func outputs(t *testing.T, file string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

func TestInstallRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds zgate")
	}
	goos, goarch, runner := runnerEnv(t)
	real := releaseBinary(t)
	asset := "zgate_" + version + "_" + goos + "_" + goarch
	committed := strings.Join([]string{
		sum([]byte("darwin")) + "  zgate_" + version + "_darwin_arm64",
		sum(real) + "  " + asset,
		sum([]byte("windows")) + "  zgate_" + version + "_windows_amd64.exe",
	}, "\n") + "\n"

	sim := githubsim.New(githubsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	if err := sim.CreateRepo(actionRepoOwner, actionRepoName, map[string]string{"README.md": "zgate\n"}); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"v" + version, "v6.6.6"} {
		if err := sim.CreateTag(actionRepoOwner, actionRepoName, tag, "main"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sim.CreateRelease(actionRepoOwner, actionRepoName, "v"+version, "release-bot", map[string][]byte{
		asset: real, "checksums.txt": []byte(committed),
	}); err != nil {
		t.Fatal(err)
	}
	// A release whose asset is not what its commit says: the binary was
	// replaced after the release, or the release was made from other code.
	tamperedAsset := "zgate_6.6.6_" + goos + "_" + goarch
	if _, err := sim.CreateRelease(actionRepoOwner, actionRepoName, "v6.6.6", "release-bot", map[string][]byte{
		tamperedAsset: append(append([]byte(nil), real...), "#!/bin/sh evil"...),
	}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		checksums string
		token     string
		wantErr   bool
		installed string
	}{
		{name: "release binary matches the committed checksum", checksums: committed, installed: "true"},
		{name: "checksum mismatch is refused", checksums: sum(real) + "  " + tamperedAsset + "\n", wantErr: true},
		{name: "not a release commit", installed: "false"},
		{name: "release not published", checksums: sum(real) + "  zgate_1.2.4_" + goos + "_" + goarch + "\n", installed: "false"},
		{name: "no binary for this runner", checksums: sum(real) + "  zgate_" + version + "_plan9_amd64\n", installed: "false"},
		{name: "bad token: GitHub's 401", checksums: committed, token: "bogus", installed: "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			binDir := filepath.Join(t.TempDir(), "bin")
			out := filepath.Join(t.TempDir(), "output")
			env := append([]string{
				"ZGATE_ACTION_PATH=" + actionCheckout(t, tt.checksums),
				"ZGATE_ACTION_REPOSITORY=" + actionRepoOwner + "/" + actionRepoName,
				"ZGATE_RELEASE_API_URL=" + srv.URL + "/api/v3/",
				"ZGATE_RELEASE_TOKEN=" + tt.token,
				"ZGATE_BIN_DIR=" + binDir,
				"GITHUB_OUTPUT=" + out,
			}, runner...)
			start := time.Now()
			_, stderr, err := script(t, env, "release")
			took := time.Since(start)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("install.sh release succeeded; stderr:\n%s", stderr)
				}
				if !strings.Contains(stderr, "REFUSED") {
					t.Errorf("stderr does not say the binary was refused:\n%s", stderr)
				}
				if _, err := os.Stat(filepath.Join(binDir, "zgate")); err == nil {
					t.Errorf("a refused binary was left where the Action runs it")
				}
				return
			}
			if err != nil {
				t.Fatalf("install.sh release: %v\n%s", err, stderr)
			}
			o := outputs(t, out)
			if o["installed"] != tt.installed {
				t.Fatalf("installed = %q, want %q; stderr:\n%s", o["installed"], tt.installed, stderr)
			}
			if tt.installed != "true" {
				return
			}
			t.Logf("release install took %v", took)
			v, err := exec.Command(o["path"], "--version").Output()
			if err != nil || !strings.HasPrefix(string(v), "zgate v"+version+"\n") {
				t.Errorf("installed binary --version = %q, %v; want zgate v%s", v, err, version)
			}
		})
	}
	if n := sim.AssetDownloads(actionRepoOwner, actionRepoName, "v"+version, asset); n != 1 {
		t.Errorf("release asset downloaded %d times, want 1", n)
	}
}

// TestInstallBuildsFromSource: on any other ref the Action builds zgate
// from its own checkout, here this repository.
func TestInstallBuildsFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("builds zgate")
	}
	_, _, runner := runnerEnv(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	binDir := filepath.Join(t.TempDir(), "bin")
	out := filepath.Join(t.TempDir(), "output")
	env := append([]string{"ZGATE_ACTION_PATH=" + root, "ZGATE_BIN_DIR=" + binDir, "GITHUB_OUTPUT=" + out}, runner...)
	if _, stderr, err := script(t, env, "release"); err != nil || outputs(t, out)["installed"] != "false" {
		t.Fatalf("install.sh release on a non-release checkout: %v, outputs %v\n%s", err, outputs(t, out), stderr)
	}
	start := time.Now()
	if _, stderr, err := script(t, env, "build"); err != nil {
		t.Fatalf("install.sh build: %v\n%s", err, stderr)
	}
	t.Logf("source build (shared build cache) took %v", time.Since(start))
	path := outputs(t, out)["path"]
	if path != filepath.Join(binDir, "zgate") {
		t.Fatalf("path = %q, want %q", path, filepath.Join(binDir, "zgate"))
	}
	if v, err := exec.Command(path, "version").Output(); err != nil || !strings.HasPrefix(string(v), "zgate ") {
		t.Errorf("built binary version = %q, %v", v, err)
	}
}

func TestInstallPlatform(t *testing.T) {
	tests := []struct{ os, arch, want string }{
		{"Linux", "X64", "linux_amd64"},
		{"Linux", "ARM64", "linux_arm64"},
		{"macOS", "ARM64", "darwin_arm64"},
		{"macOS", "X64", ""}, // no Intel Mac binary: built from source
		{"Windows", "X64", "windows_amd64"},
		{"Windows", "ARM64", ""},
		{"Linux", "ARM", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.os+"/"+tt.arch, func(t *testing.T) {
			out, stderr, err := script(t, []string{"RUNNER_OS=" + tt.os, "RUNNER_ARCH=" + tt.arch}, "platform")
			if err != nil {
				t.Fatalf("install.sh platform: %v\n%s", err, stderr)
			}
			if got := strings.TrimSpace(out); got != tt.want {
				t.Errorf("platform = %q, want %q", got, tt.want)
			}
		})
	}
}
