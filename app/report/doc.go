// Package report turns a gate's decision into the check run a reviewer
// reads, and publishes it without rewriting an unchanged one.
//
// [CheckRun] renders one gate's policy.GateDecision as a [Content]: the
// check name "zgate/<gate>: <base>" ([CheckName]; [Names] adds the legacy
// "zgate/<gate>" for the default branch), its status and conclusion, a title and a
// Markdown summary (a table of controls — who approved, at which commit,
// when; which attestation and signer —, what is missing and who could
// approve it, when the window closes, and what Z will do or did), plus a
// fingerprint of everything visible. [PolicyError] renders an unloadable
// policy with one FILE:LINE:COL line per problem. [Content.Mirror] is the
// legacy name's content: the outcome only, pointing at the per-base check,
// so it is rewritten only when the outcome changes.
//
// The mapping from gate state to check run:
//
//	success  completed / success
//	pending  in_progress            (a required check blocks merging until it completes)
//	failure  completed / failure
//	error    completed / failure    (the policy cannot be loaded)
//	skipped  completed / skipped    (GitHub treats skipped like success for
//	                                 required checks, so a gate that does not
//	                                 apply never blocks a merge)
//
// Pending is in_progress rather than a failing conclusion so that a gate
// waiting for approvals does not look broken; GitHub marks a check run left
// incomplete for 14 days stale, which still blocks merging (fail closed).
//
// [Publisher.Publish] creates or updates the check run on the head commit
// and skips the call when the stored fingerprint matches. A completed run
// is never reopened (GitHub refuses, or keeps the old conclusion): going
// back to pending creates a new run and marks the old one cancelled. The
// store keeps the status written on each run with its fingerprint, so
// knowing whether a run is completed needs no GET. The rendered text
// holds absolute times only, so the same decision always renders the same.
//
// Commit statuses (the Action's, and the App's overwrites of foreign ones)
// carry one-line descriptions cut by [OneLine] to [MaxStatusDescription].
package report
