// Package act performs a gate's Z — a SHA-guarded merge, a
// workflow_dispatch or a repository_dispatch — at most once per (repository,
// pull request, gate, head SHA), following "Doing Z once" in the design
// notes.
//
// [Executor.Run] records the intent in the store before calling GitHub,
// then records the outcome:
//
//   - merge: PUT .../pulls/{n}/merge with sha = the evaluated head and the
//     policy's method. 200 → done. 409 (head moved), 405 (not mergeable),
//     422 → failed with GitHub's reason: the engine re-evaluates, nothing is
//     retried blindly. A network error or 5xx → the pull request is read:
//     merged → done, otherwise failed (the SHA guard makes a later retry
//     safe).
//   - dispatch / repository_dispatch: the inputs (client_payload) are the
//     policy's rendered templates plus zgate_id (the execution id), pr,
//     head_sha and gate. 204 → done; any 4xx → failed (GitHub refused, so
//     nothing ran); a network error or 5xx → unknown: the call may have
//     gone out, so it is never re-sent and a person must confirm. A
//     workflow that dispatches must declare those four inputs, and should
//     set `run-name: ${{ inputs.zgate_id }}` so executions can be
//     reconciled.
//
// When an execution already exists: done, unknown and confirmed are
// returned as they are (nothing is called); failed is retried under the
// same id; intent — a crash between recording and calling — is reconciled:
// a merge against the pull request's merged state (then retried with the
// SHA guard), a workflow dispatch by listing workflow runs whose name holds
// the zgate_id (found → done, else unknown), a repository dispatch → unknown.
//
// With [Executor.Audit] set, the intent (with the decision given to
// [Executor.RunDecided]) and every outcome go into the audit log in the
// same store transaction as the execution's state: a crash at any point
// leaves no Z without its record. The intent of a retry is not recorded,
// nor a refusal that repeats the one being retried.
package act
