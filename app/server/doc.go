// Package server is the App's HTTP front: POST /webhook (intake), GET
// /healthz, GET /readyz and GET /metrics.
//
// Intake does only what must happen before GitHub gets its answer: verify
// the SHA-256 HMAC signature (no SHA-1 fallback), cap the body at 25 MiB,
// decode the event, map it to the pull requests it may change, durably
// enqueue a re-evaluation for each and record the delivery id. It never
// calls GitHub: the engine does that from the queue. One file per webhook
// event decides which pull requests an event can affect.
//
// The frequent events (pull_request, pull_request_review, check_run,
// check_suite, workflow_run, status) decode into compact types holding the few fields their
// handler reads (payload.go), not go-github's full event types: a payload
// is 10-30 KB of embedded objects. They decode with package ghjson (the
// encoding/json/v2 prototype), which validates the whole body as it
// decodes, in one pass, and skips what the types do not hold: there is no
// separate validity scan, and a body that is not JSON is still answered
// 400 ("body is not JSON") for every event, handled or not.
//
// An [engine.RepoKey] is a repository-level key: "re-evaluate every open
// pull request of this repository". Pushes to a branch that
// touch the policy or CODEOWNERS, and repositories added to an
// installation, enqueue such a key; the engine expands it.
//
// Dedupe: a delivery id is recorded after its jobs are enqueued, so a crash
// in between makes GitHub's redelivery enqueue again rather than be lost.
// A replayed delivery is answered 200 "duplicate"; its jobs coalesce with
// any pending job of the same pull request, and a re-evaluation recomputes
// the same decision from GitHub's state, so a replay can cost a little
// work but never changes an outcome.
package server
