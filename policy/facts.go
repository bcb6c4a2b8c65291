package policy

import (
	"time"

	"github.com/zgate-dev/zgate/policy/codeowners"
)

// Facts is everything known about one pull request at evaluation time. The
// App gathers it from GitHub; `zgate simulate` reads it from a snapshot file
// (docs/snapshot.md), which is this struct as JSON.
type Facts struct {
	// Repository is "owner/name".
	Repository string `json:"repository"`
	// Now is the snapshot's evaluation time; only `zgate simulate` reads it.
	Now         *time.Time  `json:"now,omitempty"`
	PullRequest PullRequest `json:"pull_request"`
	Reviews     []Review    `json:"reviews"`
	Comments    []Comment   `json:"comments"`
	// Teams maps a team slug "org/team" to its active members' logins. A
	// team missing from the map has no known members, so it cannot hold.
	Teams map[string][]string `json:"teams"`
	// Bots lists logins to treat as bots besides those ending in "[bot]".
	Bots []string `json:"bots,omitempty"`
	// Pushers are the people seen pushing to the pull request, or pushing
	// its head commit through another pull request or branch of the
	// repository. A pusher wrote part of the change, so, like the author,
	// cannot consent to it: their approvals and overrides do not count
	// (which pushes count is the gate's pushers rule, [PushersAll] or
	// [PushersHead]). The App takes them from the sender of the pull_request
	// deliveries it recorded, never from commit metadata, which the pusher
	// writes.
	Pushers []Pusher `json:"pushers,omitempty"`
	// Attestations are the verified attestations about the pull request.
	Attestations []Attestation `json:"attestations"`
	// RejectedAttestations are attestations found but not verified, kept so
	// the report can say why they did not count.
	RejectedAttestations []RejectedAttestation `json:"rejected_attestations,omitempty"`
	// Decisions are the verified signed gate decisions about the head
	// commit, looked up per decision control ([DecisionControl]).
	Decisions []SignedDecision `json:"decisions,omitempty"`
	// RejectedDecisions are decisions that did not verify, and lookups
	// that failed (those fail the gate closed).
	RejectedDecisions []RejectedDecision `json:"rejected_decisions,omitempty"`
	// Codeowners is the parsed CODEOWNERS of the base branch, nil when the
	// repository has none.
	Codeowners *codeowners.File `json:"-"`
	// Deployment is set when the facts are about a deployment waiting on
	// zgate's protection rule rather than about a pull request: then only
	// gates whose if.environment names its environment apply, the deployed
	// commit stands for the head, and the team approvals are the
	// `/zgate approve-deploy` comments (docs/deployments.md).
	Deployment *Deployment `json:"deployment,omitempty"`
	// Unavailable lists facts that could not be gathered (membership
	// unreadable, ...). Any entry fails every applicable gate closed.
	Unavailable []string `json:"unavailable,omitempty"`
}

// PullRequest is the part of a pull request the policy looks at.
type PullRequest struct {
	Number       int      `json:"number"`
	Author       string   `json:"author"`
	Base         string   `json:"base"`
	HeadSHA      string   `json:"head_sha"`
	Draft        bool     `json:"draft"`
	Labels       []string `json:"labels"`
	ChangedFiles []string `json:"changed_files"`
	// ChangedFilesTruncated is set when GitHub could not list every changed
	// file (past its 3,000-file cap): gates that look at paths fail closed.
	ChangedFilesTruncated bool `json:"changed_files_truncated,omitempty"`
	// HeadSeenAt is when the head commit was first seen as the head of
	// this pull request, by a clock the author cannot set: zgate's own
	// (the first delivery or evaluation naming it) or GitHub's (the
	// creation of the commit's first check suite). An override comment
	// counts only if created at or after it, so an override binds to the
	// head it was given on. Nil when unknown: no override counts.
	HeadSeenAt *time.Time `json:"head_seen_at,omitempty"`
	// BaseChangedAt is when the base branch last changed (GitHub's
	// base_ref_changed event), nil if never. An approval is for the change
	// into the base it was given on: one submitted at or before this time
	// does not count (a retarget can bring in commits nobody reviewed
	// while the head stays the same).
	BaseChangedAt *time.Time `json:"base_changed_at,omitempty"`
	// RequestedTeams are the teams whose review is requested and still
	// outstanding ("org/team", GitHub's requested_teams): zgate does not
	// request them again.
	RequestedTeams []string `json:"requested_teams,omitempty"`
}

// Pusher is one person seen pushing: the sender of a pull_request
// opened, synchronize or reopened event (or of a push to a branch).
type Pusher struct {
	Login string `json:"login"`
	// HeadSHA is the head commit the push made.
	HeadSHA string `json:"head_sha"`
	// Via is empty for a push to this pull request; otherwise it says
	// where the push was seen ("#12", "a push to a branch"), and the push
	// counts only when it made this pull request's head commit: the same
	// commits pushed through another pull request are the same change.
	Via string `json:"via,omitempty"`
	// ID is GitHub's account id of the pusher, 0 when unknown. The App
	// uses it to follow a renamed account (a pusher who renamed themself
	// is listed again under the current login); the policy compares
	// logins.
	ID int64 `json:"id,omitempty"`
}

// Review is one pull request review.
type Review struct {
	// ID is GitHub's review id, for signed decisions; 0 when unknown.
	ID   int64  `json:"id,omitempty"`
	User string `json:"user"`
	// State is APPROVED, CHANGES_REQUESTED, DISMISSED, COMMENTED or PENDING,
	// compared case-insensitively.
	State       string    `json:"state"`
	CommitID    string    `json:"commit_id"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// Comment is one issue comment on the pull request.
type Comment struct {
	User      string    `json:"user"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is GitHub's updated_at; later than CreatedAt means the
	// comment was edited, and an edited override never counts (whoever
	// can edit it could have rewritten the reason, or the command itself,
	// after the fact).
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// Attestation is a verified attestation: the signature, certificate chain,
// timestamp and commit binding were checked by package attest.
type Attestation struct {
	PredicateType string `json:"predicate_type"`
	Issuer        string `json:"issuer"`
	Identity      string `json:"identity"`
	// SourceRepository is the repository the signing workflow ran in, as
	// the certificate names it (https://github.com/owner/repo); empty for
	// keyed attestations.
	SourceRepository string `json:"source_repository,omitempty"`
	// SignerWorkflow is the certificate's build signer URI: the workflow
	// file that signed, with its ref.
	SignerWorkflow string `json:"signer_workflow,omitempty"`
	// RunnerEnvironment is "github-hosted" or "self-hosted".
	RunnerEnvironment string `json:"runner_environment,omitempty"`
	// Commit is the commit the statement's subject binds it to.
	Commit string `json:"commit"`
	// SignedAt is the verified signing time (TSA or transparency log).
	SignedAt time.Time `json:"signed_at"`
	// Digest is "sha256:<hex>" of the bundle, for signed decisions.
	Digest string `json:"digest,omitempty"`
}

// RejectedAttestation is an attestation that failed verification.
type RejectedAttestation struct {
	// Source says where it came from (bundle digest, file name, URL).
	Source string `json:"source"`
	Reason string `json:"reason"`
}
