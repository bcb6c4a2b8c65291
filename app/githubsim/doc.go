// Package githubsim is a stateful, in-memory GitHub for tests and
// `zgate demo`: the REST API under /api/v3 (as GitHub Enterprise Server
// serves it, so go-github's WithEnterpriseURLs and ghinstallation's
// BaseURL point at it), signed webhook deliveries to the App, and a
// control API under /_sim/.
//
// # Go API
//
// [New] returns an empty [Sim]; [Sim.Handler] serves it. [Options] sets
// the logger, the clock (Now: timestamps, token expiry and JWT checks;
// ghinstallation signs JWTs with the real clock, so keep Now near it), a
// recording writer, the per-installation rate limit (RateLimit, default
// [DefaultRateLimit] an hour, negative for none) and the address used in
// URLs before the first request. [Sim.RegisterApp] registers the App (id,
// RSA public key, webhook URL and secret; [NewAppKey] makes a key and its
// PEM); [Sim.SetWebhookURL] changes
// the URL later. [Sim.CreateRepo] makes a repository with one commit on
// main and installs the App on its owner ([Sim.InstallationID]);
// [Sim.Install] and [Sim.Uninstall] change installations explicitly
// (installation created/deleted; an uninstalled account's tokens get 401
// and its events are not delivered).
//
// Then, as people and other systems would: [Sim.Push], [Sim.MoveBranch]
// (point a branch at an existing commit), [Sim.OpenPR],
// [Sim.SetDraft], [Sim.ClosePR], [Sim.ReopenPR], [Sim.ChangeBase],
// [Sim.SubmitReview], [Sim.DismissReview], [Sim.Comment],
// [Sim.EditComment] (issue_comment edited, updated_at set), [Sim.AddLabel],
// [Sim.RemoveLabel], [Sim.AddTeamMember], [Sim.RemoveTeamMember],
// [Sim.SetParentTeam], [Sim.SetRequiredChecks], [Sim.SetStatus] (a
// foreign CI), [Sim.RerequestCheckRun], [Sim.CompleteRun],
// [Sim.AddAttestation]. Each emits the webhook GitHub would send and
// returns after the App has answered it. Observers: [Sim.PullRequest],
// [Sim.CheckRuns], [Sim.Statuses], [Sim.Dispatches], [Sim.Deliveries],
// [Sim.Calls] and [Sim.ResetCalls]. [Sim.Redeliver] replays a delivery
// (same id and body). Every delivery attempt, failed ones included, is
// also listed to the App by GET /app/hook/deliveries (newest first,
// cursor-paginated), and POST /app/hook/deliveries/{id}/attempts sends
// one again under the same GUID. [Sim.SetFaults] injects errors, rate limits and
// latency ([Faults]; the token exchange is exempt). Go API errors wrap
// [ErrNotFound], [ErrExists] or [ErrInvalid].
//
// Organizations, refs and branch protection: [Sim.RemoveOrgMember]
// (organization member_removed), [Sim.DeleteTeam] (team deleted),
// [Sim.CreateTag] (no webhook), [Sim.SetRequiredCheckSource] (a required
// check's expected source: only check runs and statuses by that creator
// satisfy it); observers [Sim.Ref] and [Sim.Refs].
//
// Pull requests behave like GitHub's: reviews bind to the head at the
// time; a push to the head branch moves head.sha (pull_request
// synchronize, whose sender is the pusher, as on GitHub); files are head against the merge base; mergeable_state
// is dirty (conflict with the base branch), draft, blocked (a required
// check or status not green on the head) or clean; a merge creates a
// merge, squash or rebase commit on the base branch and emits push and
// pull_request closed.
//
// Workflow dispatches are checked against .github/workflows/<id> when
// that file exists at the ref (a workflow_dispatch trigger, no undeclared
// inputs, required inputs present) and accepted otherwise; each creates a
// queued run named by the workflow's run-name (its ${{ inputs.X }}
// expressions filled in), else by the zgate_id input, else by the
// workflow's name. return_run_details answers 200 with the run id.
//
// The control API under /_sim/ offers the same operations as JSON POSTs
// for other processes; control.go lists them.
//
// # REST API
//
// Every route needs "Authorization: token <installation token>" (or
// Bearer) for an installation on the repository's owner: a bad or expired
// token gets 401, another owner's repository 404. The /app routes and GET
// /repos/{owner}/{repo}/installation take the App's RS256 JWT instead
// (iss = app id, exp - iat <= 600 s, not expired); tokens last one hour.
// Responses carry X-GitHub-Request-Id and X-RateLimit-* headers; GET 200s
// carry an ETag, and If-None-Match answers 304 without using the rate
// limit; a 304 carries no Link header (GitHub does not promise one), so
// a client cannot learn from it whether a list grew past a cached page.
// Lists page with Link headers (per_page default 30, max 100);
// attestations page with after cursors. Errors are GitHub's
// {"message", "documentation_url"} bodies with GitHub's status codes.
//
// Served routes (GitHub's paths): GET /app, GET /app/installations,
// GET /app/installations/{id}, POST /app/installations/{id}/access_tokens,
// GET /orgs/{org}/installation, GET /repos/{o}/{r}/installation,
// GET /installation/repositories (installation token),
// GET /repos/{o}/{r}, GET .../branches/{branch}, GET .../contents/{path}
// (?ref=; base64 wrapped at 60 columns), GET .../commits/{ref},
// GET .../commits/{sha}/pulls, GET .../pulls (state, base, head,
// direction), GET .../pulls/{n}, GET .../pulls/{n}/files (capped at 3,000
// files like GitHub), GET and PUT .../pulls/{n}/merge (sha guard: 409;
// 405 when closed, draft, conflicting or a required check is not green),
// GET .../pulls/{n}/reviews, GET .../pulls/{n}/reviews/{id},
// PUT .../pulls/{n}/reviews/{id}/dismissals, GET and POST
// .../issues/{n}/comments, PATCH .../issues/comments/{id},
// GET .../commits/{ref}/check-suites (one GitHub Actions suite per
// commit, created when the commit is first pushed to a branch: its
// created_at is when GitHub first saw the commit),
// GET /orgs/{org}/teams/{team},
// GET /orgs/{org}/teams/{team}/memberships/{user} (child teams count),
// GET /orgs/{org}/teams/{team}/members, POST .../check-runs,
// GET and PATCH .../check-runs/{id}, POST .../check-runs/{id}/rerequest,
// GET .../commits/{ref}/check-runs, POST .../statuses/{sha},
// GET .../commits/{ref}/status, GET .../commits/{ref}/statuses,
// POST .../actions/workflows/{id}/dispatches, GET .../actions/runs,
// POST .../dispatches, GET .../attestations/{subject_digest}
// (predicate_type filter; after cursors). Past the rate limit every call
// gets 403 "API rate limit exceeded". testdata/conformance checks the
// answers against GitHub's OpenAPI description and webhook schemas.
//
// Also: POST .../git/refs (GitHub's compare-and-swap: 422 "Reference
// already exists"), GET .../git/ref/{ref} and DELETE .../git/refs/{ref}.
// A ref parameter resolves as git
// rev-parse does: refs/<name>, then refs/tags/<name>, then
// refs/heads/<name>, so a tag shadows a branch of the same name.
//
// # Webhooks
//
// Deliveries are POSTed one at a time, in order (or, with
// [Options].Deliverers above one, that many at once in no promised order,
// as GitHub does, for load tests), with X-GitHub-Event,
// X-GitHub-Delivery (a UUID), X-Hub-Signature-256 ([Sign]) and a
// GitHub-Hookshot User-Agent. Changes made through the Go or control API
// are delivered before the call returns. Changes made by REST calls (a
// check run, a status, a merge) are delivered right after the response,
// as on GitHub, so an App may be called back while it works;
// [Sim.WaitDeliveries] waits for them. The App's own check runs and
// statuses come back to it as check_run and status events.
//
// # Recording
//
// With [Options].Record set, every /api/v3 exchange is appended as one
// JSON line {"method", "path", "route", "status", "request", "response"}
// (path without /api/v3; bodies as JSON, null when empty), to be checked
// against GitHub's OpenAPI description. [Sim.Route] names the route a
// request would take, for harnesses that count calls themselves.
//
// # Cost
//
// Every call runs under one state lock, so its cost bounds a load test.
// Lookups an answer makes on every call are indexed (index.go: check runs
// by id and head, statuses by SHA, pull requests by head, branches by
// head), so that a check-run answer costs the same with one open pull
// request as with thousands; BenchmarkCheckRunScale keeps the number.
package githubsim
