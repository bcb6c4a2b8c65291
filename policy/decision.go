package policy

import "time"

// State is a gate's outcome.
type State string

const (
	StateSuccess State = "success"
	StateFailure State = "failure"
	StatePending State = "pending"
	StateSkipped State = "skipped"
	// StateError means the policy could not be loaded or evaluated.
	StateError State = "error"
)

// Decision is the outcome of [Evaluate] for every gate of a policy, in the
// policy's order.
type Decision struct {
	Gates []GateDecision `json:"gates"`
}

// GateDecision is one gate's outcome with an explanation per control.
type GateDecision struct {
	Name  string `json:"name"`
	Check string `json:"check"`
	State State  `json:"state"`
	// Summary is one human sentence explaining State.
	Summary  string          `json:"summary"`
	Controls []ControlResult `json:"controls"`
	// Missing says, per unmet requirement, what would open the gate
	// ("@acme/security: approval from one of dave, erin").
	Missing []string `json:"missing"`
	// ExpiresAt is when the oldest counted control leaves the window, so
	// the decision must be recomputed then; nil when nothing is counted.
	ExpiresAt *time.Time `json:"expires_at"`
	// Action is the Z to run when State is success.
	Action   ActionKind      `json:"action"`
	Override *OverrideResult `json:"override,omitempty"`
	// Notes record what the gate saw but did not count: email owners,
	// unowned files, approvals by non-members, override comments that
	// failed.
	Notes []string `json:"notes,omitempty"`
	// Quorum is the number of distinct controls needed.
	Quorum int `json:"quorum"`
	// ReviewRequests are the teams ("@org/team") to ask for a review, when
	// the gate sets request_reviews: teams and is pending for them. The
	// App requests each at most once per pull request.
	ReviewRequests []string `json:"review_requests,omitempty"`
}

// ControlKind tells team controls from attestation controls.
type ControlKind string

const (
	ControlTeam        ControlKind = "team"
	ControlAttestation ControlKind = "attestation"
)

// ControlResult explains one control.
type ControlResult struct {
	// ID is "@org/team", "@user" or the attestation control's name.
	ID       string      `json:"id"`
	Kind     ControlKind `json:"kind"`
	Required bool        `json:"required,omitempty"`
	Held     bool        `json:"held"`
	// Reason is a human sentence: who approved at which commit and when,
	// or why the control does not hold.
	Reason string `json:"reason"`
	// By is the approver the matching assigned, or the attestation signer.
	By string `json:"by,omitempty"`
	// At is when the counted review or attestation was made.
	At *time.Time `json:"at,omitempty"`
	// Commit is the commit of the counted review or attestation.
	Commit string `json:"commit,omitempty"`
	// Candidates are the active members who could make it hold.
	Candidates []string `json:"candidates,omitempty"`
	// Notes record reviews and attestations that did not count and why.
	Notes []string `json:"notes,omitempty"`
}

// OverrideResult records a break-glass override that opened the gate.
type OverrideResult struct {
	By      []string `json:"by"`
	Reasons []string `json:"reasons"`
}
