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

func TestCacheStats(t *testing.T) {
	v := testdataVerifier(t)
	b := readTestdata(t, tdBundle)
	for range 3 {
		if _, err := v.Verify(b, payments); err != nil {
			t.Fatal(err)
		}
	}
	// A rejection is cached too: the outcome does not depend on the clock.
	for range 2 {
		_, _ = v.Verify([]byte("{}"), payments)
	}
	hits, misses := v.CacheStats()
	if hits != 3 || misses != 2 {
		t.Errorf("CacheStats = %d hits, %d misses; want 3, 2", hits, misses)
	}
}
