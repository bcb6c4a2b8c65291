// Package app runs zgate as a GitHub App: [Run] opens the store, builds the
// GitHub clients, the fact gatherer, the check-run publisher, the Z
// executor, the audit log, the durable queue and the [engine.Engine], and
// serves the webhook, health and metrics endpoints until its context ends.
//
// [Options] is the whole configuration, filled by cmd/zgate from flags and
// ZGATE_ environment variables; nothing in app reads the environment,
// handles signals or exits the process, so tests and `zgate demo` embed it.
// Logger, metrics registry, HTTP transport and clock are injected.
//
// The inner packages each do one job: githubsim (the GitHub simulator),
// ghclient (auth, ETag cache, retries), facts (GitHub -> policy.Facts),
// report (check runs), act (Z), store (SQLite, PostgreSQL), audit (hash
// chain), queue (claiming, coalescing, timers), engine (the re-evaluation
// path), server (HTTP) and metrics (Prometheus collectors).
package app
