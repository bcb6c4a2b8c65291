package ghclienttest

import (
	"testing"
)

// PageSizes returns list lengths on both sides of every page boundary of
// the first two pages of perPage items, in growing order: 1, perPage-1,
// perPage, perPage+1, 2*perPage-1, 2*perPage, 2*perPage+1.
func PageSizes(perPage int) []int {
	return []int{1, perPage - 1, perPage, perPage + 1, 2*perPage - 1, 2 * perPage, 2*perPage + 1}
}

// GrowList checks that read sees a whole list while the list grows
// across page boundaries, also when its pages come from the ETag cache.
// For each size of [PageSizes](perPage) it calls grow(n) to make the list
// n items long, then read twice: the first read follows the growth, the
// second is answered by 304s from the cache (this fails when no read of
// the whole test was answered from the cache, so the cache cannot be
// left out by accident). Each read must return n.
func (e *Env) GrowList(t *testing.T, perPage int, grow func(t *testing.T, n int), read func(t *testing.T) int) {
	t.Helper()
	_, before := e.Counter.Total()
	for _, n := range PageSizes(perPage) {
		grow(t, n)
		for _, pass := range []string{"after growing", "warm"} {
			if got := read(t); got != n {
				t.Fatalf("list of %d items, read %s: saw %d", n, pass, got)
			}
		}
	}
	if _, after := e.Counter.Total(); after == before {
		t.Errorf("no read was answered 304 from the ETag cache: the test does not exercise it")
	}
}
