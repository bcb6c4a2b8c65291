// Package engine is the App's one re-evaluation path. Every trigger (a
// webhook, a timer, the sweep, crash recovery) only names a pull request;
// [Engine.Reevaluate] recomputes the decision from GitHub's current state:
//
//	gather facts (policy and CODEOWNERS from the base branch)
//	-> policy.Evaluate(policy, facts, now)
//	-> report: one check run per gate, unchanged ones not rewritten
//	-> audit every decision that changed a check
//	-> act: for a gate that opened, re-gather and re-evaluate on a fresh
//	   head SHA, and run Z only if it still holds on the same SHA
//	-> schedule: return the earliest expires_at, so the queue runs the
//	   pull request again when its oldest control leaves the window.
//
// A lost, duplicated or reordered event can therefore delay a decision but
// never corrupt it. [Engine.Reevaluate] is the queue's handler.
//
// A [RepoKey] names a repository: Reevaluate expands it into one job per
// open pull request. [Engine.Sweep] enqueues such a key for every
// repository of every installation, and [Engine.Recover] re-queues the pull
// requests of executions left in intent by a crash, so the executor
// reconciles them (a merge against the PR's merged state; a dispatch is
// marked unknown and never repeated on a guess).
//
// Files follow those steps: evaluate.go (the path), report.go (check
// runs), auditrecords.go (decision records and the retry of unwritten
// ones), act.go (Z), settle.go (a closed pull request's executions),
// policyerror.go (a base whose policy does not load), remember.go (what is
// kept between evaluations), statuses.go and staged.go (commit statuses,
// the staged finish).
package engine
