// Package e2e tests zgate end to end: it builds the real binary, runs
// `zgate serve` against the GitHub simulator (app/githubsim, in the test
// process on 127.0.0.1), drives pull requests through signed webhooks and
// asserts check runs, merges and the audit chain, including Sigstore
// attestations as controls (--trusted-root), a kill -9
// between the deciding review and the merge, and adversarial inputs.
//
// The benchmarks run the App in process (app.Run) against the simulator:
// GitHub API calls per evaluation, cold and warm (ETags), and the
// webhook-to-check-run latency.
package e2e
