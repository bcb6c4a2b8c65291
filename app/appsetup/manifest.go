package appsetup

import "strings"

// Permissions are exactly the App permissions docs/config.md lists ("The
// GitHub App"), with GitHub's manifest names.
func Permissions() map[string]string {
	return map[string]string{
		"checks":        "write", // check runs per gate
		"statuses":      "write", // overwrite foreign statuses claiming a gate's name
		"contents":      "write", // merging; reading the policy and CODEOWNERS
		"pull_requests": "write",
		"actions":       "write", // dispatch gates
		"metadata":      "read",
		"members":       "read",  // team membership
		"attestations":  "write", // attestation controls; uploading signed decisions
		"deployments":   "write", // answering deployment protection rules
		"merge_queues":  "read",  // merge_group events
	}
}

// Events are the webhook events docs/config.md lists, less installation
// and installation_repositories: GitHub sends those to every App, and
// they cannot be subscribed to.
func Events() []string {
	return []string{
		"pull_request", "pull_request_review", "issue_comment", "check_run", "check_suite",
		"workflow_run", "push", "status", "merge_group", "membership", "team", "organization", "deployment_protection_rule",
	}
}

// ManifestOptions are the inputs of [NewManifest].
type ManifestOptions struct {
	// Name is the App's name on GitHub (unique across GitHub).
	Name string
	// PublicURL is where zgate serve is reached from GitHub; empty leaves
	// the webhook inactive until it is set in the App's settings.
	PublicURL string
	// RedirectURL receives the code (the local setup page).
	RedirectURL string
}

// Manifest is a GitHub App manifest, with GitHub's field names.
type Manifest struct {
	Name           string            `json:"name"`
	URL            string            `json:"url"`
	HookAttributes HookAttributes    `json:"hook_attributes"`
	RedirectURL    string            `json:"redirect_url"`
	CallbackURLs   []string          `json:"callback_urls,omitempty"`
	Public         bool              `json:"public"`
	Permissions    map[string]string `json:"default_permissions"`
	Events         []string          `json:"default_events"`
}

// HookAttributes configures the App's webhook.
type HookAttributes struct {
	URL    string `json:"url"`
	Active bool   `json:"active"`
}

// OAuthCallbackPath is where zgate serve's details page receives GitHub's
// OAuth redirect; app/web serves it.
const OAuthCallbackPath = "/auth/callback"

// WebhookPath is where zgate serve receives webhooks.
const WebhookPath = "/webhook"

// placeholderURL stands in for a public URL not given yet: GitHub needs a
// homepage and a webhook URL; the webhook stays inactive.
const placeholderURL = "http://localhost:8080"

// NewManifest builds zgate's manifest: the name, the webhook URL, the
// permissions and events docs/config.md lists, the OAuth callback of the
// details page, and nothing more. The App is private to its owner.
func NewManifest(o ManifestOptions) Manifest {
	base := strings.TrimRight(o.PublicURL, "/")
	active := base != ""
	if !active {
		base = placeholderURL
	}
	return Manifest{
		Name:           o.Name,
		URL:            base,
		HookAttributes: HookAttributes{URL: base + WebhookPath, Active: active},
		RedirectURL:    o.RedirectURL,
		CallbackURLs:   []string{base + OAuthCallbackPath},
		Public:         false,
		Permissions:    Permissions(),
		Events:         Events(),
	}
}
