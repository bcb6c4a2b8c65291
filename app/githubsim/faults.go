package githubsim

import (
	"net/http"
	"strings"
	"time"
)

// Faults makes the REST API misbehave like a bad day at GitHub. Rates
// are probabilities per call in [0, 1], drawn in this order: ErrorRate
// (500 or 502), SecondaryLimitRate (403 secondary rate limit with
// Retry-After: 1), TooManyRequestsRate (429 with Retry-After: 1).
// Latency delays every call. Faults apply to every /api/v3 route except
// the token exchange (POST /app/installations/{id}/access_tokens), so a
// client can always authenticate; faulted calls still count in Calls.
type Faults struct {
	ErrorRate           float64       `json:"error_rate"`
	SecondaryLimitRate  float64       `json:"secondary_limit_rate"`
	TooManyRequestsRate float64       `json:"too_many_requests_rate"`
	Latency             time.Duration `json:"latency"`
	// Seed makes the draws repeatable; 0 keeps the current generator.
	Seed int64 `json:"seed"`
}

// SetFaults replaces the fault settings; Faults{} turns faults off.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	if f.Seed != 0 {
		s.rng.Seed(f.Seed)
	}
}

// pickFault draws the fault for one call. Callers hold s.mu.
func (s *Sim) pickFault(pattern string) (*response, time.Duration) {
	f := s.faults
	if strings.HasSuffix(pattern, "/access_tokens") {
		return nil, 0
	}
	switch {
	case f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate:
		if s.rng.Intn(2) == 0 {
			r := apiError(http.StatusInternalServerError, "Server Error")
			return &r, f.Latency
		}
		r := response{status: http.StatusBadGateway, body: apiErrorBody{Message: "Server Error", DocumentationURL: docsURL, Status: "502"}}
		return &r, f.Latency
	case f.SecondaryLimitRate > 0 && s.rng.Float64() < f.SecondaryLimitRate:
		r := apiError(http.StatusForbidden, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
		r.header = http.Header{"Retry-After": {"1"}}
		return &r, f.Latency
	case f.TooManyRequestsRate > 0 && s.rng.Float64() < f.TooManyRequestsRate:
		r := apiError(http.StatusTooManyRequests, "API rate limit exceeded")
		r.header = http.Header{"Retry-After": {"1"}}
		return &r, f.Latency
	}
	return nil, f.Latency
}

// Calls returns the number of REST calls per route, keyed like
// "GET /repos/{owner}/{repo}/pulls/{pull_number}" (GitHub's docs form,
// without /api/v3). Faulted, refused and 304 calls count too.
func (s *Sim) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// ResetCalls zeroes the call counters.
func (s *Sim) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.rated = nil
}
