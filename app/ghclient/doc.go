// Package ghclient builds the go-github clients zgate talks to GitHub with:
// GitHub App authentication (a JWT for /app endpoints, one cached
// installation-token transport per installation), and transports layered
// under go-github that make repeated evaluations cheap and robust.
//
// The layers, from go-github down to the network:
//
//   - an ETag cache (bounded LRU in memory, keyed by URL, Accept header and
//     auth identity) that sends If-None-Match and turns a 304 into the
//     cached 200, so an unchanged PR costs no rate limit. A cached page of
//     a list never ends the list on its own: a full page whose stored Link
//     header names no next page is asked for again without If-None-Match,
//     because a list can grow past a page without changing it (see
//     pages.go). Bodies are kept deflated, bounded by the memory they
//     hold (see compact.go);
//   - authentication (ghinstallation/v2 for apps, a bearer token for the
//     Action, see [NewTokenClient]);
//   - retries with exponential backoff and full jitter on network errors,
//     5xx, 429 and secondary rate limits, honouring Retry-After and
//     X-RateLimit-Reset, for idempotent methods (GET, HEAD) only: a merge or
//     dispatch is never re-sent blindly, its caller decides ([RetryPolicy]);
//   - a per-call hook ([Config.OnCall], [Counter]) that sees every request
//     that reaches the network, for metrics and the API-cost benchmark.
//
// Use [New] with a [Config], then [Apps.Installation] per installation id and
// [Apps.App] for /app endpoints ([Apps.Forget] drops an uninstalled one);
// [NewTokenClient] and [NewTokenClientConfig] serve the Action's token.
// [PrivateKey] and [Token] print redacted through fmt and slog. Package
// ghclienttest wires these clients to the GitHub simulator for tests. [Config.BaseURL] selects github.com
// (default), GitHub Enterprise Server or the simulator
// ("https://HOST/api/v3/").
package ghclient
