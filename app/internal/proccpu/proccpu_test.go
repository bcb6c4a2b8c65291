package proccpu

import "testing"

// TestUsedGrows: burning CPU shows in Used.
func TestUsedGrows(t *testing.T) {
	before, err := Used()
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	after, err := Used()
	if err != nil {
		t.Fatal(err)
	}
	if after <= before || x == 0 {
		t.Errorf("Used() went from %v to %v over a busy loop", before, after)
	}
}
