package policy

import (
	"regexp"
	"time"
)

// Defaults applied by [Parse] where the policy file is silent.
const (
	DefaultWindow = 72 * time.Hour
	// CheckPrefix is prepended to a gate's name to form its check name.
	CheckPrefix = "zgate/"
)

// Policy is a decoded and validated gate policy file.
type Policy struct {
	// File is the path the policy was read from, used in messages.
	File    string
	Version int
	Gates   []Gate
}

// Gate is one named multi-party control rule; it becomes the check run
// "zgate/<Name>".
type Gate struct {
	Name        string
	Description string
	If          Conditions
	Controls    Controls
	// Quorum is how many distinct controls must hold at once; 0 means all.
	Quorum int
	// Required lists control ids ("@org/team", "@user" or an attestation
	// name) that must be among the held controls.
	Required []string
	// Window bounds the age of every counted control when Z fires.
	Window                  time.Duration
	BlockOnChangesRequested bool
	// Override is the break-glass rule; nil when the gate has none.
	Override *Override
	// Pushers says whose pushes make a person count as an author, who can
	// neither approve nor override; "" means [PushersAll].
	Pushers PusherRule
	// RequestReviews says whom zgate asks for reviews while the gate is
	// pending; "" means [RequestReviewsOff].
	RequestReviews RequestReviews
	// Sign says when zgate signs the gate's decision (with a signing key
	// configured): "" means [SignAction].
	Sign SignRule
	Then Action

	// Line is the 1-based line of the gate in the policy file.
	Line int
}

// CheckName is the name of the check run that reports the gate.
func (g *Gate) CheckName() string { return CheckPrefix + g.Name }

// Conditions decide whether a gate applies to a pull request. Empty lists
// always hold; all given lists must hold.
type Conditions struct {
	// Base holds globs on the base branch name ("main", "release/*").
	Base []string
	// Paths holds gitignore-style globs; the condition holds when any
	// changed file matches one.
	Paths []string
	// Labels holds when the pull request carries any of them.
	Labels []string
	// Environment names GitHub Environments (compared case-insensitively,
	// as GitHub does). A gate that names any applies only to deployments
	// to one of them (docs/deployments.md), never to pull requests; a gate
	// that names none applies only to pull requests.
	Environment []string
}

// Controls are the independent signals of consent a gate counts.
type Controls struct {
	Teams        TeamControls
	Attestations []AttestationControl
	// Decision, when set, requires a signed gate decision of another
	// repository's gate about the head commit (see [DecisionControl]).
	Decision *DecisionControl
}

// Freshness says which approvals count.
type Freshness string

const (
	// FreshHead counts only reviews of the head commit.
	FreshHead Freshness = "head"
	// FreshAny counts any approval inside the window.
	FreshAny Freshness = "any"
)

// PusherRule says which pushers of a pull request count as its authors.
type PusherRule string

// SignRule says when a gate's decision is signed.
type SignRule string

const (
	// SignAction signs the decision when the gate's action runs (default).
	SignAction SignRule = "action"
	// SignAlways also signs it whenever the gate opens without its action
	// running then (no action, or a merge waiting for other gates).
	SignAlways SignRule = "always"
)

const (
	// PushersAll: everyone seen pushing to the pull request while it was
	// open, and whoever pushed its head commit elsewhere in the
	// repository (the two-person rule: an approver did not write any of
	// the change). The default.
	PushersAll PusherRule = "all"
	// PushersHead: only whoever pushed the head commit (GitHub's "require
	// approval of the most recent reviewable push").
	PushersHead PusherRule = "head"
)

// RequestReviews is a gate's request_reviews setting.
type RequestReviews string

const (
	// RequestReviewsOff: zgate requests no reviews. The default.
	RequestReviewsOff RequestReviews = "off"
	// RequestReviewsTeams: while the gate is pending for missing teams,
	// zgate requests a review from each of them, once per pull request.
	RequestReviewsTeams RequestReviews = "teams"
)

// TeamControls says where the gate's team controls come from.
type TeamControls struct {
	// FromCodeowners takes the owners, per CODEOWNERS on the base branch,
	// of the changed files that match If.Paths.
	FromCodeowners bool
	// From is the explicit list of owners ("@org/team" or "@user") when
	// FromCodeowners is false.
	From  []string
	Fresh Freshness
}

// AttestationControl is one attestation control: a verified attestation
// about the head commit with this predicate type from this signer. The
// signer is the OIDC issuer and certificate identity, optionally narrowed
// by the repository the signing workflow ran in, the workflow file that
// signed and the kind of runner it ran on.
type AttestationControl struct {
	Name          string
	PredicateType string
	Issuer        string
	// Identity is the regular expression as written in the policy file.
	Identity string
	// IdentityRE is Identity anchored as ^(?:re)$.
	IdentityRE *regexp.Regexp
	// SourceRepository, when set, is the repository the signing workflow
	// must have run in, as written: "owner/repo" for github.com or the
	// repository's https URL (needed for GitHub Enterprise Server). Both
	// forms name the same github.com repository, compared
	// case-insensitively.
	SourceRepository string
	// SignerWorkflow, when set, is a regular expression the certificate's
	// build signer URI (the workflow file that signed, with its ref) must
	// match as a whole.
	SignerWorkflow string
	// SignerWorkflowRE is SignerWorkflow anchored as ^(?:re)$; nil when
	// SignerWorkflow is empty.
	SignerWorkflowRE *regexp.Regexp
	// RunnerEnvironment, when set, is the runner the signing job must have
	// run on: [RunnerGitHubHosted] or [RunnerSelfHosted].
	RunnerEnvironment string
}

// Runner environments a signing certificate can name (Fulcio's
// runner_environment extension).
const (
	RunnerGitHubHosted = "github-hosted"
	RunnerSelfHosted   = "self-hosted"
)

// Override is the break-glass rule: enough distinct members of Teams
// commenting "/zgate override <reason>" open the gate.
type Override struct {
	Teams     []string
	Approvals int
}

// ActionKind names the Z a gate performs when it opens.
type ActionKind string

const (
	ActionNone               ActionKind = "none"
	ActionMerge              ActionKind = "merge"
	ActionDispatch           ActionKind = "dispatch"
	ActionRepositoryDispatch ActionKind = "repository_dispatch"
)

// Action is the Z of a gate: at most one of its fields is set.
type Action struct {
	Merge              *MergeAction
	Dispatch           *DispatchAction
	RepositoryDispatch *RepositoryDispatchAction
}

// Kind reports which Z the action performs.
func (a Action) Kind() ActionKind {
	switch {
	case a.Merge != nil:
		return ActionMerge
	case a.Dispatch != nil:
		return ActionDispatch
	case a.RepositoryDispatch != nil:
		return ActionRepositoryDispatch
	}
	return ActionNone
}

// MergeAction merges the pull request, guarded by the evaluated head SHA.
type MergeAction struct {
	// Method is "merge", "squash" or "rebase".
	Method string
}

// DispatchAction runs a workflow_dispatch of Workflow on Ref.
type DispatchAction struct {
	Workflow string
	Ref      string
	// Inputs are text/template strings over [TemplateData].
	Inputs map[string]string
}

// RepositoryDispatchAction sends a repository_dispatch event.
type RepositoryDispatchAction struct {
	EventType string
	// ClientPayload values are text/template strings over [TemplateData].
	ClientPayload map[string]string
}

// TemplateData is what dispatch input templates see, as {{ .PR.Number }}.
type TemplateData struct {
	Repository string
	Gate       string
	PR         struct {
		Number  int
		HeadSHA string
		Base    string
		Author  string
	}
}
