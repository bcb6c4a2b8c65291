package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zgate-dev/zgate/policy/codeowners/codeownerstest"
)

// The benchmarks in this file run the real binary, as users do, because a
// command's cost is more than its in-process work: the start of a 50 MB
// binary (page faults, package init of every linked dependency), reading
// the input, the garbage collector and writing the output. Run them with
// many iterations on a shared machine and read the median:
//
//	go test ./cmd/zgate -run '^$' -bench Process -benchtime 40x
//
// To compare with another version, build it and pass it with -zgate-binary
// (e.g. `git stash; go build -o /tmp/zgate-old ./cmd/zgate; git stash pop`).
//
// wall-ms is the wall time of one process (the median and 90th percentile
// of the runs), cpu-ms its user+system CPU time (median), which other load
// on the machine inflates less than wall time.

var zgateBinary = flag.String("zgate-binary", "", "run this zgate binary in the Process benchmarks instead of building one")

// buildZgate builds the zgate binary into a temporary directory, or
// returns -zgate-binary.
func buildZgate(b *testing.B) string {
	b.Helper()
	if *zgateBinary != "" {
		return *zgateBinary
	}
	bin := filepath.Join(b.TempDir(), "zgate")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// benchProcess runs the command line once per iteration with stdin and
// reports the wall and CPU time per process.
func benchProcess(b *testing.B, stdin []byte, name string, args ...string) {
	b.Helper()
	var wall, cpu []time.Duration
	for b.Loop() {
		cmd := exec.Command(name, args...)
		cmd.Stdin = bytes.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = nil, &stderr // stdout to /dev/null, as a pipe reader would drain it
		start := time.Now()
		err := cmd.Run()
		wall = append(wall, time.Since(start))
		if err != nil && !isExit(err, exitUsage) {
			b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
		}
		cpu = append(cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	}
	b.ReportMetric(ms(quantile(wall, 0.5)), "wall-ms")
	b.ReportMetric(ms(quantile(wall, 0.9)), "p90-wall-ms")
	b.ReportMetric(ms(quantile(cpu, 0.5)), "cpu-ms")
}

// isExit reports whether err is the process exiting with code.
func isExit(err error, code int) bool {
	ee, ok := err.(*exec.ExitError)
	return ok && ee.ExitCode() == code
}

func quantile(d []time.Duration, q float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*q)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkOwnersProcess is `zgate owners --codeowners F --json PATH...`
// on a 5,000-rule monorepo CODEOWNERS and 3,000 changed paths given as
// arguments, one process per op.
func BenchmarkOwnersProcess(b *testing.B) {
	bin := buildZgate(b)
	text, paths := codeownerstest.Monorepo(42, 5000, 3000)
	file := filepath.Join(b.TempDir(), "CODEOWNERS")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("args", func(b *testing.B) {
		benchProcess(b, nil, bin, append([]string{"owners", "--codeowners", file, "--json"}, paths...)...)
	})
	b.Run("stdin", func(b *testing.B) {
		benchProcess(b, []byte(strings.Join(paths, "\n")+"\n"), bin, "owners", "--codeowners", file, "--json")
	})
}

// BenchmarkStartProcess is a bare `zgate --help`: the floor every command
// pays (exec, runtime and package init).
func BenchmarkStartProcess(b *testing.B) {
	bin := buildZgate(b)
	benchProcess(b, nil, bin, "--help")
}
