package load

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// built holds the zgate binary, built once on first use so that a run
// whose tests all skip builds nothing.
var built struct {
	once sync.Once
	path string
	key  *rsa.PrivateKey
	err  error
}

// tmpDir is removed by TestMain after the run.
var tmpDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	os.Exit(code)
}

// binary returns the zgate binary and the App's key.
func binary(t testing.TB) (string, *rsa.PrivateKey) {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "zgate-load-")
		if err != nil {
			built.err = err
			return
		}
		tmpDir = dir
		built.path = filepath.Join(dir, "zgate")
		out, err := exec.Command("go", "build", "-o", built.path, "github.com/zgate-dev/zgate/cmd/zgate").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		built.key, built.err = rsa.GenerateKey(rand.Reader, 2048)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path, built.key
}
