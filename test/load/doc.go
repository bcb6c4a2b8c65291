// Package load measures the real `zgate serve` binary under load, the way
// users run it: one process, 4 workers, against the GitHub simulator
// (app/githubsim) in the test process, with 1,000 open pull requests.
//
// BenchmarkLoad sends review events at an open-loop rate (50, 200, 500
// per second) and reports, from the simulator's side, REST calls per event
// by route and whether they count against the rate limit, zgate's own
// latency (delivery sent to check-run write received, minus the
// simulator's time answering that pull request's calls), evaluations per
// second, CPU per evaluation and peak RSS of the zgate process, and lost
// deliveries. BenchmarkSweep measures a sweep of 1,000 unchanged pull
// requests. Both run only with ZGATE_LOAD=1 (they take minutes);
// TestLoadSmoke runs a tiny version in every `go test` so the harness
// keeps working. docs/performance.md has the command and the numbers.
package load
