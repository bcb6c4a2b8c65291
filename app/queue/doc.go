// Package queue runs the "re-evaluate this PR" jobs kept in the store.
//
// A [Runner] has several workers. Each claims the earliest due job, calls
// the [Handler] for its PR and then completes it; when the handler fails
// the job is retried with exponential backoff and jitter, and when it
// returns a time (a decision's expires_at) the PR is enqueued again for
// then. Jobs for one PR coalesce in the store and a claim holds the PR, so
// each PR is handled serially while different PRs run in parallel, also
// across several Runners (replicas) over one database. Idle workers sleep
// until the next job is due, the poll interval passes, or [Runner.Wake]
// (each wakes one worker). A [StagingHandler] stages the writes recording
// what it did in a store.Finish, committed in the one transaction that
// settles the job ([NewStaging]); [Runner.Intake] records a delivery with
// its jobs in one transaction.
package queue
