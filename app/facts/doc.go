// Package facts gathers, from GitHub, everything policy.Evaluate needs to
// decide one pull request: the policy and CODEOWNERS of the **base** branch
// (a pull request cannot weaken its own gate), the changed files, reviews,
// comments, labels, team membership and verified attestations.
//
// [Gatherer.Gather] returns a [Result]: the pull request (the fields zgate reads), the loaded
// policy (or why it could not be loaded, in [Result.PolicyErr]) and a
// policy.Facts value. It fails closed: a fact that cannot be read either
// makes Gather return an error (the pull request, its files, reviews,
// comments or files on the base branch: the caller retries later) or is
// listed in policy.Facts.Unavailable (team membership, attestations), which
// fails every applicable gate with the reason shown.
//
// Team membership is cached per team by a [MembershipCache] with a TTL,
// dropped by [MembershipCache.Invalidate] and [MembershipCache.InvalidateOrg]
// when membership or team webhooks arrive. Attestations come from an
// [AttestationSource]; [NewAttestSource] backs one with package attest,
// [LoadAttestSource] with the trusted roots in a file.
//
// A [ConfigCache] keeps the policy and CODEOWNERS parsed per head commit of
// the base branch: with it, Gather reads the branch's ref (a 304 while it
// does not move) and the files only at a commit not seen yet. The changed
// files, reviews and comments are read concurrently.
//
// The pull request itself is decoded into the few fields zgate reads
// (Result.PR carries only those), and a [PullCache] keeps them per answer:
// an unchanged pull request (a 304 served from the ETag cache) is not
// decoded again. An entry answers only the same ETag and the same bytes
// (SHA-256), so a changed pull request is always decoded afresh.
//
// A [ListMemo] keeps what the timeline (base changes) and the pull
// request's commits said while the pull request and its files answer byte
// for byte as when they were read; every change those lists can show
// changes the pull request's answer, so an unchanged pull request costs
// two calls fewer. The read before a Z ([Fresh]) reads every list.
//
// [Hints] keep what webhook deliveries carried: the pull request object of
// pull_request and pull_request_review payloads and the reviews of the
// latter. A Gather in a [Hinted] context (the engine's evaluations) starts
// from them: no GET of the pull request, and the last review list plus
// the reviews delivered since instead of listing them; the timeline and
// commits are the memo's last. Its [Result] is [Result.Cheap]: a gate may
// turn green, and Z may run, only from facts read from GitHub, so the
// engine reports from a cheap result only when every gate is pending or
// failing and otherwise gathers again without hints (Z with [Fresh]).
// Stale hints delay, never open.
//
// [NeededTeams] says which teams a policy can need for a pull request, so
// only those are read. [Gatherer.OpenPRs] lists the open pull requests against a base branch,
// for the periodic sweep and for re-evaluation after a push to a base branch
// changed the policy or CODEOWNERS.
//
// [Recheck] is the rule the App and the Action share before a Z: on a fresh
// read, the gate must still hold on the same head SHA.
package facts
