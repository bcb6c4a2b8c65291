// Package web serves the gate details page of `zgate serve`:
// GET /gates/{owner}/{repo}/{number}, the page a check run's details_url
// opens. It shows every gate of the pull request at its head commit (state
// and reason, each control with who, which commit and until when it stays
// in the window, who could still approve, attestations, the override,
// what Z does and did, the policy's source) and the pull request's audit
// records as a timeline; with Accept: application/json the same [Page]
// as JSON (docs/details-page.md).
//
// The page is computed as the engine computes a decision: the shared
// facts.Gatherer (its ETag, policy and membership caches make a view of
// an unchanged pull request cost nothing against the rate limit) and
// facts.Evaluate; [Build] turns the result and the store's records into a
// [Page], purely, and render.go writes it with html/template, inline CSS
// and a countdown script allowed by hash in the CSP header.
//
// Public repositories are shown to anyone. Any other repository needs a
// sign-in with GitHub (oauth.go: the web flow with the App's OAuth
// credentials and a random state) and a 200 from GitHub for the user's own
// GET /repos/{owner}/{repo}; everything else is the same 404, so the page
// does not tell whether a repository exists. The user's token lives only
// in the store (session.go), sealed under a key derived from the session
// cookie, whose digest keys the row.
package web
