// Package action is zgate inside a GitHub Actions job: the same path as
// the App below intake (gather facts from the base branch, policy.Evaluate,
// report, re-gather and re-check on the same head, act), run with the
// workflow's token and without a database. GitHub itself is the store.
//
// [Run] takes a [Config] (never the environment: cmd/zgate reads it) and
// decides which pull requests the event names ([Targets]):
//
//	pull_request, pull_request_target,        that pull request
//	pull_request_review, pull_request_review_comment
//	issue_comment on a pull request           that pull request
//	push to a branch                          the open pull requests with that base
//	workflow_run (a review relay)             the pull requests it names (none: the sweep)
//	schedule, workflow_dispatch               every open pull request (the sweep)
//
// The sweep is the Action's only timer: a gate whose oldest control
// leaves the window falls back to pending at the next scheduled run, so
// the schedule interval bounds how late that happens.
//
// # Reporting
//
// Each gate is reported as a commit status "zgate/<gate>: <base>" on the
// head SHA, and also "zgate/<gate>" when the base is the repository's
// default branch (the App's check names, from package report: a status
// that protects one base is only ever written by an evaluation against
// that base's policy), not a check run (a workflow token's check runs attach to the workflow's
// own check suite). The mapping: success, pending, failure and error keep
// their names; skipped becomes success with a "skipped: ..." description,
// so a required status never blocks a pull request the gate does not
// apply to. Descriptions are cut to GitHub's 140 characters with "…"; the
// target URL is the workflow run. A status whose state and description
// equal the current one is not rewritten. An unloadable policy fails the
// "zgate: <base>" status ("zgate" too for the default branch) and every
// gate status of that base already on the head with state error. A merge
// Z needs every applicable gate of the pull request to hold; an open gate
// whose merge waits says for which. The Markdown report of every gate (the App's check-run
// text, from package report) goes to [Config.Summary], the job summary.
//
// # Doing Z once without a database
//
// Merge: right before, the pull request is re-gathered and re-evaluated;
// Z runs only on the same head SHA with the gate still open, as a
// SHA-guarded merge. An already merged pull request is done; 409 and 405
// are reported and not retried by this run.
//
// Dispatch and repository_dispatch: the run that dispatches first claims
// the dispatch by creating the git ref [ClaimRef]
// "refs/zgate/<head>/<gate>/<base>" (GitHub answers 422 to every later
// creation of an existing ref, a compare-and-swap), so of two runs racing
// for one dispatch exactly one sends it, with or without a concurrency
// group. The claimant records the execution in a marker status
// [MarkerContext] "zgate/<gate>/z: <base>" on the head SHA ([ParseMarker]):
// pending "dispatched <id>" before the call, success after it, error
// "unknown <id>" when the call got no definite answer (a person checks and
// confirms; zgate never dispatches again on a guess), failure "failed
// <id>" on a definite 4xx, which also deletes the claim ref so a later run
// may try again under the same id. Only markers whose creator is zgate's
// own identity ([Config.Identity]) are records: anyone with write access
// can post a status. A person may settle zgate's unknown marker by
// posting "confirmed <id>" or "failed <id>"; the latter lets zgate claim
// again once the claim ref is deleted. A pending marker younger than the
// job timeout is a dispatch under way in another run and is left to it.
package action
