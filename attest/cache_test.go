package attest_test

import (
	"sync"
	"testing"

	"github.com/zgate-dev/zgate/attest"
)

// TestVerifyConcurrent verifies the same and different bundles from many
// goroutines; run with -race.
func TestVerifyConcurrent(t *testing.T) {
	v := testdataVerifier(t, attest.WithCacheSize(2))
	inputs := [][]byte{readTestdata(t, tdBundle), readTestdata(t, tdKeyed), readTestdata(t, tdEnvelope)}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 4 {
				in := inputs[(i+j)%len(inputs)]
				_, err := v.Verify(in, payments)
				if (err == nil) != ((i+j)%len(inputs) != 2) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Verify: unexpected outcome %v", err)
	}
}
