package githubsim

// RatedCalls returns, by route as [Sim.Calls] names them, the calls that
// used an installation's primary rate limit: every answer but a 304 to a
// conditional request (GitHub does not charge those) and but a refusal of
// authentication or of an exhausted limit. [Sim.ResetCalls] zeroes them.
func (s *Sim) RatedCalls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.rated))
	for k, v := range s.rated {
		out[k] = v
	}
	return out
}

// countRated counts one call of pattern against the rate limit. Callers
// hold s.mu.
func (s *Sim) countRated(pattern string) {
	if s.rated == nil {
		s.rated = map[string]int{}
	}
	s.rated[pattern]++
}
