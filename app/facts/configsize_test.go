package facts

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zgate-dev/zgate/policy"
	"github.com/zgate-dev/zgate/policy/codeowners"
)

// TestConfigCacheChargesParsedFiles: an entry of the config cache is
// charged at least the memory its parsed files hold, so the cache's
// budget holds what it says.
func TestConfigCacheChargesParsedFiles(t *testing.T) {
	shapes := map[string]string{
		"long":  "/services/svc-%d/**/*.go @acme/team-%d @acme/sre\n",
		"short": "*.x%d @t%d\n",
		"dirs":  "/d%d/ @acme/team-%d\n",
	}
	for _, rules := range []int{1, 100, 5000} {
		for name, shape := range shapes {
			var b strings.Builder
			for i := range rules {
				fmt.Fprintf(&b, shape, i, i%40)
				if i%10 == 0 {
					fmt.Fprintf(&b, "# owners of group %d\n", i/10)
				}
			}
			src := []byte(b.String())
			checkCharged(t, fmt.Sprintf("CODEOWNERS, %s, %d rules", name, rules), src, func() any {
				f, err := codeowners.Parse("CODEOWNERS", src)
				if err != nil {
					t.Fatal(err)
				}
				return f
			})
		}
	}
	policies, err := filepath.Glob("testdata/*.yml")
	more, _ := filepath.Glob("../../policy/testdata/policies/*.yml")
	policies = append(policies, more...)
	if err != nil || len(policies) == 0 {
		t.Fatalf("no policies in testdata: %v", err)
	}
	for _, path := range policies {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkCharged(t, path, src, func() any {
			p, _ := policy.Parse(path, src) // an invalid one holds its error
			return p
		})
	}
}

// checkCharged fails t when parse holds more than an entry of src is charged.
func checkCharged(t *testing.T, name string, src []byte, parse func() any) {
	t.Helper()
	before := liveHeap()
	v := parse()
	held := liveHeap() - before
	runtime.KeepAlive(v)
	charged := int64(parsedSize(src)) + configEntryOverhead
	t.Logf("%s, %d bytes: %d held, %d charged", name, len(src), held, charged)
	if held > charged {
		t.Errorf("%s: parsed, it holds %d bytes, charged %d", name, held, charged)
	}
}

func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
