package codeowners

// slab hands out slices cut from shared arrays, so that parsing a file
// costs a few allocations rather than several per line. With grow unset
// (the zero value) every slice is an allocation of exactly its size, as
// one [CompilePattern] needs; with grow set the arrays start at
// slabMin elements and double up to slabMax, so a five-line file costs
// little memory (the App keeps parsed files) and a 5,000-rule one few
// allocations.
type slab[T any] struct {
	grow bool
	next int // the size of the next array
	free []T
}

const (
	slabMin = 16
	slabMax = 1024
)

// carve returns n zeroed elements; nil when n is 0. The result's capacity
// is n, so appending to it never overwrites a neighbour.
func (s *slab[T]) carve(n int) []T {
	if n == 0 {
		return nil
	}
	if cap(s.free)-len(s.free) < n {
		size := n
		if s.grow {
			s.next = min(max(2*s.next, slabMin), slabMax)
			size = max(n, s.next)
		}
		s.free = make([]T, 0, size)
	}
	l := len(s.free)
	s.free = s.free[:l+n]
	return s.free[l : l+n : l+n]
}
